import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got: the raw body bytes as text, and the parsed JSON. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
  readonly json: unknown;
}

/** How the receiver answers the n-th request (0-based) to a path: a status, or never. */
export type Answer =
  { readonly status: number; readonly body?: string; readonly headers?: Record<string, string> } | 'hang';

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>`; add any path, e.g. `/services/T000/B000/secret-part`. */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Requests to one path. */
  to(path: string): ReceivedRequest[];
  /** How requests to `path` are answered, by their index; 204 when not set. */
  answer(path: string, answers: (index: number) => Answer): void;
  close(): Promise<void>;
}

/**
 * A local HTTP server standing in for Slack, Teams, Discord and webhook receivers (node:http on
 * port 0): it records every request and answers as told, including not at all.
 */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const answers = new Map<string, (index: number) => Answer>();
  const hanging = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = request.url ?? '/';
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        json = undefined;
      }
      const index = requests.filter((seen) => seen.path === path).length;
      requests.push({ method: request.method ?? '', path, headers: request.headers, raw, json });
      const answer = answers.get(path)?.(index) ?? { status: 204 };
      if (answer === 'hang') {
        hanging.add(response);
        return;
      }
      response.writeHead(answer.status, answer.headers).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    to: (path) => requests.filter((request) => request.path === path),
    answer: (path, answer) => void answers.set(path, answer),
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
