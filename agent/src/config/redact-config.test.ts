import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secretKeys } from '@port-yard/shared';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';
import { redactConfig } from './redact-config.ts';

describe('redactConfig', () => {
  it('replaces the value of every secret key at any depth, whatever its type', () => {
    const input = {
      password: 'S1-top',
      nested: {
        token: 'S2-tok',
        list: [{ secretAccessKey: 'S3-sak' }, { passphrase: { deep: 'S4-pp' } }],
        keep: 'visible',
      },
      numbers: { password: 98765 },
      absent: { password: undefined },
    };
    const redacted = redactConfig(input);
    expect(redacted).toEqual({
      password: '<redacted>',
      nested: {
        token: '<redacted>',
        list: [{ secretAccessKey: '<redacted>' }, { passphrase: '<redacted>' }],
        keep: 'visible',
      },
      numbers: { password: '<redacted>' },
      absent: { password: undefined },
    });
    const text = JSON.stringify(redacted);
    for (const secret of ['S1-', 'S2-', 'S3-', 'S4-', '98765']) expect(text).not.toContain(secret);
  });

  it('covers every key in secretKeys', () => {
    const input = Object.fromEntries([...secretKeys].map((key) => [key, `value-of-${key}`]));
    expect(JSON.stringify(redactConfig(input))).not.toContain('value-of-');
  });

  it('leaves its input untouched', () => {
    const input = { targets: { a: { password: 'p' } } };
    redactConfig(input);
    expect(input.targets.a.password).toBe('p');
  });

  it('never leaks the passwords of a loaded config, inline, from env or from a file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'port-yard-redact-'));
    try {
      await writeFile(join(dir, 'pw'), 'file-secret-3\n');
      const target = 'engine: postgres, user: u, databases: all, destinations: [local]';
      await writeFile(
        join(dir, 'c.yaml'),
        `version: 1
storages: { local: { type: filesystem, path: b } }
targets:
  a: { ${target}, password: inline-secret-1 }
  b: { ${target}, password: "\${SECRET}" }
  c: { ${target}, passwordFile: pw }
`,
      );
      const config = await loadConfig(join(dir, 'c.yaml'), { env: { SECRET: 'env-secret-2' } });
      const text = JSON.stringify(redactConfig(config));
      for (const secret of ['inline-secret-1', 'env-secret-2', 'file-secret-3'])
        expect(text).not.toContain(secret);
      expect(text).toContain(join(dir, 'pw')); // where it came from is not a secret
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
