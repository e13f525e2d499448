import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Browser-origin rules. A request that changes state (POST, and every WebSocket upgrade) from a
 * browser must come from the agent's own origin or an allowed one: together with SameSite=Strict
 * cookies this stops cross-site request forgery. Requests without an Origin header come from
 * non-browser clients (the desktop app's main process, curl), which authenticate with tokens.
 */
export function originAllowed(
  request: IncomingMessage,
  allowedOrigins: readonly string[],
  publicUrl?: string,
): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  const host = request.headers.host;
  const own = host ? [`http://${host}`, `https://${host}`] : [];
  if (publicUrl) own.push(new URL(publicUrl).origin);
  return own.includes(origin) || allowedOrigins.includes(origin);
}

/** CORS for allowed console origins (and preflights); returns true when the request was a preflight. */
export function applyCors(
  request: IncomingMessage,
  response: ServerResponse,
  allowedOrigins: readonly string[],
): boolean {
  const origin = request.headers.origin;
  if (origin && allowedOrigins.includes(origin)) {
    response.setHeader('Access-Control-Allow-Origin', origin);
    response.setHeader('Access-Control-Allow-Credentials', 'true');
    response.setHeader('Vary', 'Origin');
    if (request.method === 'OPTIONS') {
      response.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      response.setHeader('Access-Control-Allow-Headers', 'authorization, content-type, trpc-accept, range');
      response.setHeader('Access-Control-Max-Age', '600');
    }
  }
  if (request.method !== 'OPTIONS') return false;
  response.writeHead(204).end();
  return true;
}
