import { createServer } from 'node:net';

/** Linux's default ephemeral range is 32768-60999: the ports below are never picked for clients. */
const FIRST = 20_000;
const COUNT = 12_000;

/**
 * A port free on `host` right now, for a test server to bind next, or for a test that needs a
 * port nothing listens on. It is picked at random below the kernel's ephemeral range: a port the
 * kernel hands out (`listen(0)`) comes from that range, where any process's outgoing connection
 * (the test's own database clients) may take it before the server binds it. Below it, only
 * another test picking the same port at random can.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = FIRST + Math.floor(Math.random() * COUNT);
    if (await canListen(port, host)) return port;
  }
  throw new Error(`no free port on ${host} in ${FIRST}-${FIRST + COUNT - 1}`);
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}
