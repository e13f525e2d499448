import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlsClientOptions } from './tls-client-options.ts';

let dir: string;
const base = { user: 'backup' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-tls-options-'));
  await writeFile(join(dir, 'ca.pem'), 'CA PEM');
  await writeFile(join(dir, 'client.pem'), 'CERT PEM');
  await writeFile(join(dir, 'client.key'), 'KEY PEM');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('tlsClientOptions', () => {
  it('is off without tls, with disable, and with prefer', () => {
    expect(tlsClientOptions(base)).toBeUndefined();
    expect(tlsClientOptions({ ...base, tls: { mode: 'disable' } })).toBeUndefined();
    expect(tlsClientOptions({ ...base, tls: { mode: 'prefer' } })).toBeUndefined();
  });

  it("a file that cannot be read is the config's problem, named by its key, not the server's", () => {
    const missing = join(dir, 'nope-ca.pem');
    expect(() => tlsClientOptions({ ...base, tls: { mode: 'verify-ca', ca: missing } })).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        message: `tls.ca: cannot read ${missing}: no such file`,
      }),
    );
  });

  it('require encrypts without checking the certificate', () => {
    expect(tlsClientOptions({ ...base, tls: { mode: 'require' } })).toEqual({
      ca: undefined,
      cert: undefined,
      key: undefined,
      rejectUnauthorized: false,
    });
  });

  it('verify-full checks chain and host and reads the PEM files', () => {
    const options = tlsClientOptions({
      ...base,
      tls: {
        mode: 'verify-full',
        ca: join(dir, 'ca.pem'),
        cert: join(dir, 'client.pem'),
        key: join(dir, 'client.key'),
      },
    });
    expect(options).toEqual({ ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM', rejectUnauthorized: true });
  });

  it('verify-ca checks the chain but not the host name', () => {
    const options = tlsClientOptions({ ...base, tls: { mode: 'verify-ca', ca: join(dir, 'ca.pem') } })!;
    expect(options.rejectUnauthorized).toBe(true);
    expect(options.checkServerIdentity?.()).toBeUndefined();
  });
});
