import { describe, expect, it, vi } from 'vitest';
import { configSchema } from '@port-yard/shared';
import type * as PasswordHash from './password-hash.ts';

const verifications = vi.hoisted(() => ({ count: 0 }));
vi.mock('./password-hash.ts', async (importOriginal) => {
  const original = await importOriginal<typeof PasswordHash>();
  return {
    ...original,
    verifySecret: async (hash: string, secret: string) => {
      verifications.count += 1;
      return original.verifySecret(hash, secret);
    },
  };
});

const { hashSecret } = await import('./password-hash.ts');
const { createAuthenticator } = await import('./authenticator.ts');
const { createSessions } = await import('./sessions.ts');

describe('the authenticator', () => {
  it('verifies a token once for many parallel requests (a page loads its scripts at once)', async () => {
    const token = 'pyt_parallel_0123456789abcdef';
    const auth = configSchema.parse({
      version: 1,
      auth: { mode: 'basic', tokens: [{ name: 'ci', tokenHash: await hashSecret(token), role: 'viewer' }] },
      storages: { local: { type: 'filesystem', path: '/tmp/unused' } },
      targets: {},
    }).auth;
    const authenticator = createAuthenticator(auth, createSessions(60_000));
    verifications.count = 0;
    const identities = await Promise.all(
      Array.from({ length: 12 }, () =>
        authenticator.identify({ bearer: token, remoteAddress: '127.0.0.1', headers: {} }),
      ),
    );
    expect(identities.every((identity) => identity?.name === 'ci')).toBe(true);
    expect(verifications.count).toBe(1);
    await authenticator.identify({ bearer: token, remoteAddress: '127.0.0.1', headers: {} });
    expect(verifications.count).toBe(1);
    await expect(
      authenticator.identify({ bearer: 'pyt_wrong', remoteAddress: '127.0.0.1', headers: {} }),
    ).rejects.toMatchObject({
      code: 'AUTH_FAILED',
    });
  });

  it('spends the same password check on an unknown user as on a known one (timing tells no names)', async () => {
    const auth = configSchema.parse({
      version: 1,
      auth: {
        mode: 'basic',
        users: [{ username: 'olga', passwordHash: await hashSecret('right'), role: 'viewer' }],
      },
      storages: { local: { type: 'filesystem', path: '/tmp/unused' } },
      targets: {},
    }).auth;
    const authenticator = createAuthenticator(auth, createSessions(60_000));
    verifications.count = 0;
    expect(await authenticator.verifyPassword('olga', 'wrong')).toBeUndefined();
    expect(verifications.count).toBe(1);
    expect(await authenticator.verifyPassword('nobody', 'wrong')).toBeUndefined();
    expect(verifications.count).toBe(2);
    expect(await authenticator.verifyPassword('olga', 'right')).toMatchObject({ name: 'olga' });
  });
});
