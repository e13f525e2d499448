import type { ServerResponse } from 'node:http';

/**
 * A plain page for a sign-in that cannot continue: the browser arrived by redirect, so JSON
 * would be shown raw. The message is escaped (it may quote the provider's error text).
 */
export function sendOidcProblem(
  response: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string | string[]> = {},
): void {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in failed</title></head>
<body><h1>Sign-in failed</h1><p>${escapeHtml(message)}</p><p><a href="/">Back to Port-Yard</a></p></body></html>
`;
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'",
    ...headers,
  });
  response.end(html);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
