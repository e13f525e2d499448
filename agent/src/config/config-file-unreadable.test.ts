import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { loadConfig } from './load-config.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'port-yard-config-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('says in words that the config path is a folder (--config /etc/port-yard instead of its file)', async () => {
  const error = await loadConfig(dir, { env: {} }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).problems).toEqual([
    { path: '', message: 'cannot read the config file: is a directory' },
  ]);
});
