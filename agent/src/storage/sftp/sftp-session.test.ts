import type { SFTPWrapper } from 'ssh2';
import { describe, expect, it } from 'vitest';
import type { SftpConnection } from './sftp-connect.ts';
import { createSftpSession } from './sftp-session.ts';

/** A stand-in connection the test can drop, as a dead network would. */
interface FakeConnection extends SftpConnection {
  readonly id: number;
  drop(): void;
}

function fakeServer() {
  const opened: FakeConnection[] = [];
  const connect = async (onClosed: () => void): Promise<SftpConnection> => {
    let closed = false;
    const drop = (): void => {
      if (!closed) onClosed();
      closed = true;
    };
    const connection: FakeConnection = {
      id: opened.length + 1,
      sftp: { id: opened.length + 1 } as unknown as SFTPWrapper,
      get closed() {
        return closed;
      },
      drop,
      end: async () => drop(),
    };
    opened.push(connection);
    return connection;
  };
  return { opened, connect };
}

const idOf = (sftp: SFTPWrapper): number => (sftp as unknown as { id: number }).id;

describe('sftp session', () => {
  it('opens one connection lazily, shares it, and opens a new one after a drop', async () => {
    const server = fakeServer();
    const session = createSftpSession({ connect: server.connect, idleMs: 60_000 });
    expect(server.opened).toHaveLength(0);
    const ids = await Promise.all([1, 2, 3].map(() => session.use(async (sftp) => idOf(sftp))));
    expect(ids).toEqual([1, 1, 1]);
    server.opened[0]?.drop();
    expect(await session.use(async (sftp) => idOf(sftp))).toBe(2);
    await session.close();
    expect(server.opened.every((connection) => connection.closed)).toBe(true);
  });

  it('runs work once more on a new connection when a reused one died under it, unless told not to', async () => {
    const server = fakeServer();
    const session = createSftpSession({ connect: server.connect, idleMs: 60_000 });
    await session.use(async () => undefined);
    const seen: number[] = [];
    const dyingOnFirst = async (sftp: SFTPWrapper): Promise<number> => {
      seen.push(idOf(sftp));
      if (idOf(sftp) === 1) {
        server.opened[0]?.drop(); // the drop is noticed only while the work runs
        throw new Error('No response from server');
      }
      return idOf(sftp);
    };
    expect(await session.use(dyingOnFirst)).toBe(2);
    expect(seen).toEqual([1, 2]);

    server.opened[1]?.drop();
    await session.use(async () => undefined); // connection 3, reused below
    const failing = session.use(
      async () => {
        server.opened[2]?.drop();
        throw new Error('No response from server');
      },
      () => false,
    );
    await expect(failing).rejects.toThrow('No response from server');
    expect(server.opened).toHaveLength(3);
    await session.close();
  });

  it('does not retry work that failed on a connection it had just opened, or failed for another reason', async () => {
    const server = fakeServer();
    const session = createSftpSession({ connect: server.connect, idleMs: 60_000 });
    let runs = 0;
    const fresh = session.use(async () => {
      runs++;
      server.opened[0]?.drop();
      throw new Error('gone');
    });
    await expect(fresh).rejects.toThrow('gone');
    const refused = session.use(async () => {
      runs++;
      throw new Error('permission denied');
    });
    await expect(refused).rejects.toThrow('permission denied');
    expect(runs).toBe(2);
    await session.close();
  });

  it('closes an idle connection, but not while a stream holds it', async () => {
    const server = fakeServer();
    const session = createSftpSession({ connect: server.connect, idleMs: 30 });
    await session.use(async () => undefined);
    const release = session.hold();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(server.opened[0]?.closed).toBe(false);
    release();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(server.opened[0]?.closed).toBe(true);
    expect(await session.use(async (sftp) => idOf(sftp))).toBe(2);
    await session.close();
  });

  it('forgets a failed connection attempt, so the next call tries again', async () => {
    let attempts = 0;
    const session = createSftpSession({
      idleMs: 60_000,
      connect: async () => {
        attempts++;
        throw new Error('ECONNREFUSED');
      },
    });
    await expect(session.use(async () => undefined)).rejects.toThrow('ECONNREFUSED');
    await expect(session.use(async () => undefined)).rejects.toThrow('ECONNREFUSED');
    expect(attempts).toBe(2);
  });
});
