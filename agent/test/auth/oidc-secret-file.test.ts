import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-error.ts';
import { loadConfig } from '../../src/config/load-config.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'port-yard-oidc-secret-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const config = (secretFile: string) => `version: 1
storages:
  local: { type: filesystem, path: ./backups }
auth:
  mode: oidc
  oidc:
    issuer: https://id.example.org/realms/ops
    clientId: port-yard
    clientSecretFile: ${secretFile}
`;

it('reads auth.oidc.clientSecretFile (relative to the config) into clientSecret', async () => {
  await writeFile(join(dir, 'oidc-secret'), 's3cr3t-value\n');
  await writeFile(join(dir, 'port-yard.yaml'), config('oidc-secret'));
  const loaded = await loadConfig(join(dir, 'port-yard.yaml'), { env: {} });
  expect(loaded.auth.oidc?.clientSecret).toBe('s3cr3t-value');
});

it('reports a missing client secret file with its path', async () => {
  await writeFile(join(dir, 'port-yard.yaml'), config('nope'));
  const error = await loadConfig(join(dir, 'port-yard.yaml'), { env: {} }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).problems).toEqual([
    {
      path: 'auth.oidc.clientSecretFile',
      line: 9,
      column: 23,
      message: `cannot read the client secret file ${join(dir, 'nope')}: no such file`,
    },
  ]);
});
