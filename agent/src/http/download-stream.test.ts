import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processCodec } from '../pipeline/compression.ts';
import { sendDecoded } from './download-stream.ts';

let failure: Promise<unknown>;
const server = createServer((_request, response) => {
  response.writeHead(200);
  failure = sendDecoded({
    source: Readable.from([Buffer.alloc(4 << 20)]),
    verify: new PassThrough(),
    codec: processCodec(
      'sh',
      [
        '-c',
        'exec 0<&-; sleep 0.3; echo "age: error: no identity matched any of the recipients" >&2; exit 1',
      ],
      'age --decrypt',
      'ENCRYPT_FAILED',
    ),
    response,
  }).then(
    () => undefined,
    (error: unknown) => error,
  );
});

beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('sendDecoded', () => {
  // The audit log and the agent's log name the failure: age's own error, not "write EPIPE".
  it("fails with the decoder's own error, not the broken pipe, when it stopped reading", async () => {
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => {
      get(`http://127.0.0.1:${port}/`, (response) => {
        response.resume();
        response.on('close', resolve);
        response.on('error', () => resolve());
      }).on('error', () => resolve());
    });
    await expect(failure).resolves.toMatchObject({
      code: 'ENCRYPT_FAILED',
      message: 'age --decrypt exited with code 1: age: error: no identity matched any of the recipients',
    });
  });
});
