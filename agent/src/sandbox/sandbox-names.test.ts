import { describe, expect, it } from 'vitest';
import { sandboxIdSchema } from '@port-yard/shared';
import { isSandboxId, newSandboxId, newSandboxPassword } from './sandbox-names.ts';
import { sandboxTtlMs } from './sandbox-ttl.ts';
import { sandboxUri } from './sandbox-uri.ts';

describe('sandbox names and passwords', () => {
  it('ids are py_sbx_ and 10 hex digits, random, and valid database and user names everywhere', () => {
    const ids = Array.from({ length: 200 }, () => newSandboxId());
    for (const id of ids) {
      expect(id).toMatch(/^py_sbx_[0-9a-f]{10}$/);
      expect(isSandboxId(id)).toBe(true);
      expect(sandboxIdSchema.safeParse(id).success).toBe(true);
      expect(id.length).toBeLessThanOrEqual(32); // MariaDB user names: at most 80 (MySQL 32)
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('recognises nothing but sandbox ids', () => {
    for (const name of [
      'py_sbx_',
      'py_sbx_0123456789a',
      'py_sbx_ABCDEF0123',
      'py_verify_0123456789',
      'x py_sbx_0123456789',
    ])
      expect(isSandboxId(name)).toBe(false);
  });

  it('passwords are 24 random bytes as base64url: 32 URI-safe characters', () => {
    const passwords = Array.from({ length: 200 }, () => newSandboxPassword());
    for (const password of passwords) {
      expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(Buffer.from(password, 'base64url')).toHaveLength(24);
    }
    expect(new Set(passwords).size).toBe(passwords.length);
  });

  it('TTLs are durations', () => {
    expect(sandboxTtlMs('4h')).toBe(4 * 3_600_000);
    expect(sandboxTtlMs('2d')).toBe(2 * 86_400_000);
    expect(() => sandboxTtlMs('4 hours')).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message: 'the ttl (--ttl; ttl in the API) "4 hours" is not a duration such as 30m, 4h or 2d',
      }),
    );
    // A duration in form, but zero: said so, not that it is no duration.
    expect(() => sandboxTtlMs('0s')).toThrow(
      'the ttl (--ttl; ttl in the API) "0s" is zero: a sandbox needs a time to live, such as 30m, 4h or 2d',
    );
  });
});

describe('sandboxUri', () => {
  it('builds mysql:// and postgresql:// URIs with every part percent-encoded', () => {
    const parts = {
      user: 'py_sbx_0123456789',
      password: 'a/b@c:d',
      host: 'db.example',
      port: 3307,
      database: 'py_sbx_0123456789',
    };
    expect(sandboxUri({ ...parts, family: 'mysql' })).toBe(
      'mysql://py_sbx_0123456789:a%2Fb%40c%3Ad@db.example:3307/py_sbx_0123456789',
    );
    const uri = sandboxUri({ ...parts, family: 'postgres', host: '::1' });
    expect(uri).toBe('postgresql://py_sbx_0123456789:a%2Fb%40c%3Ad@[::1]:3307/py_sbx_0123456789');
    const parsed = new URL(uri);
    expect(decodeURIComponent(parsed.password)).toBe('a/b@c:d');
    expect(parsed.hostname).toBe('[::1]');
  });
});
