import type { ServerResponse } from 'node:http';
import { isPortYardError } from '@port-yard/shared';

const statusOf: Record<string, number> = {
  INVALID_INPUT: 400,
  CONFIG_INVALID: 400,
  AUTH_FAILED: 401,
  NOT_FOUND: 404,
  CONFLICT: 409,
  INTEGRITY_FAILED: 500,
};

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

/**
 * A clear JSON error: `{ error: { code, message } }` with the matching HTTP status. Only Port-Yard's
 * own errors say what happened; any other (a bug, a library's failure, which may name files or
 * hosts) is logged by the caller and answered without its text, as the caller may not be signed in.
 */
export function sendError(response: ServerResponse, error: unknown, status?: number): void {
  const code = isPortYardError(error) ? error.code : 'INTERNAL';
  const message = isPortYardError(error) ? error.message : "internal error: the agent's log has the details";
  if (response.headersSent) {
    response.destroy();
    return;
  }
  sendJson(response, status ?? statusOf[code] ?? 500, { error: { code, message } });
}

/** Reads a small JSON body (at most `limit` bytes); undefined when it is missing or not JSON. */
export async function readJsonBody(request: NodeJS.ReadableStream, limit = 16_384): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}
