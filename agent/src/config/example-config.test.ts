import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  configSchema,
  retentionSchema,
  retentionTierSchema,
  storageSchema,
  targetSchema,
  tlsSchema,
  encryptionSchema,
  serverSchema,
  authSchema,
  testServerSchema,
  verifySchema,
  sandboxSchema,
  notificationsSchema,
  notificationChannelSchema,
  notifyRuleSchema,
} from '@port-yard/shared';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';

const examplePath = fileURLToPath(new URL('../../../config/port-yard.example.yaml', import.meta.url));
const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('config/port-yard.example.yaml', () => {
  it('loads as it is, with no environment variables set', async () => {
    const config = await loadConfig(examplePath, { env: {} });
    expect(Object.keys(config.targets)).toEqual(['shop', 'warehouse']);
    expect(config.storages['local']).toEqual({
      type: 'filesystem',
      path: `${repositoryRoot}var/backups`,
      createRoot: true,
    });
    expect(config.targets['shop']).toMatchObject({
      engine: 'mariadb',
      host: '127.0.0.1',
      port: 3306,
      user: 'root',
    });
    expect(config.targets['warehouse']).toMatchObject({
      engine: 'postgres',
      databases: 'all',
      exclude: ['root'],
    });
  });

  it('starts with the yaml-language-server schema line', async () => {
    const text = await readFile(examplePath, 'utf8');
    expect(text.split('\n')[0]).toBe('# yaml-language-server: $schema=./port-yard.schema.json');
  });

  // New options must be documented in the example; this fails until they are.
  it('shows every option of the schema, set or commented out', async () => {
    const text = await readFile(examplePath, 'utf8');
    const keys = [
      ...Object.keys(configSchema.shape),
      ...storageSchema.options.flatMap((option) => Object.keys(option.shape)),
      ...Object.keys(targetSchema.shape),
      ...Object.keys(tlsSchema.shape),
      ...Object.keys(encryptionSchema.shape),
      ...Object.keys(serverSchema.shape),
      ...Object.keys(authSchema.shape),
      ...Object.keys(testServerSchema.shape),
      ...Object.keys(verifySchema.shape),
      ...Object.keys(sandboxSchema.shape),
      ...Object.keys(retentionSchema.shape),
      ...Object.keys(retentionTierSchema.shape),
      ...Object.keys(notificationsSchema.shape),
      ...notificationChannelSchema.options.flatMap((option) => Object.keys(option.shape)),
      ...Object.keys(notifyRuleSchema.shape),
    ];
    const written = (key: string): boolean =>
      text
        .split('\n')
        .some((line) => [' ', '{', ',', '#'].some((before) => ` ${line}`.includes(`${before}${key}:`)));
    const missing = keys.filter((key) => !written(key));
    expect(missing).toEqual([]);
  });
});
