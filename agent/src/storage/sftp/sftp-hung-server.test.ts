import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sftpConfigFor, startSshd } from '../../../test/sftp/sshd.ts';
import type { Sshd } from '../../../test/sftp/sshd.ts';
import { bodyOf, patternBytes, visibleKeys } from '../storage-contract-bodies.ts';
import { createSftpStorage } from './sftp-storage.ts';

/**
 * A server whose `sftp-server` process hangs (a dead disk behind a NAS) while sshd itself still
 * answers SSH keepalives: Debian's default subsystem is that separate process. It is frozen here
 * with SIGSTOP.
 */
let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd({ sftpServer: '/usr/lib/openssh/sftp-server' });
});
afterAll(async () => {
  await sshd?.stop();
});

describe('sftp storage with a hung sftp-server', () => {
  it('fails a put that gets no answer, instead of waiting forever, and works again afterwards', async () => {
    const storage = createSftpStorage('nas', sftpConfigFor(sshd), {
      keepaliveIntervalMs: 500,
      requestTimeoutMs: 3_000,
    });
    await storage.put('t/db/first', bodyOf([patternBytes(1000)]));
    const frozen = await sshd.sftpServerPids();
    expect(frozen).toHaveLength(1);
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const outcome = await Promise.race([
        storage.put('t/db/second', bodyOf([patternBytes(1000)])).then(
          () => 'stored',
          (error: unknown) => error,
        ),
        new Promise((resolve) => setTimeout(() => resolve('no answer after 20 s'), 20_000)),
      ]);
      expect(outcome).toMatchObject({
        code: 'STORAGE_FAILED',
        message: expect.stringContaining('did not answer within 3 s'),
      });
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
    }
    await storage.put('t/db/third', bodyOf([patternBytes(1000)]));
    expect(await visibleKeys(storage)).toEqual(['t/db/first', 't/db/third']);
    await storage.close();
  }, 40_000);
});
