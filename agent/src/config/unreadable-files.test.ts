import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.ts';
import { unreadableConfigFiles } from './unreadable-files.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-config-files-'));
  await writeFile(join(dir, 'ca.pem'), 'not checked for content');
  await mkdir(join(dir, 'masking'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function load(yaml: string[]) {
  const file = join(dir, 'port-yard.yaml');
  await writeFile(
    file,
    ['version: 1', 'storages:', '  local: { type: filesystem, path: ./b }', ...yaml, ''].join('\n'),
  );
  return loadConfig(file);
}

describe('unreadableConfigFiles', () => {
  it('names each file that cannot be read by its config path, resolved from the config folder', async () => {
    const config = await load([
      'testServers:',
      '  scratch: { engine: mariadb, user: root, tls: { mode: verify-ca, ca: ./ca.pem, key: ./client.key } }',
      'targets:',
      '  shop:',
      '    engine: mariadb',
      '    user: backup',
      '    databases: [shop]',
      '    destinations: [local]',
      '    tls: { mode: verify-ca, ca: ./missing-ca.pem }',
      '    encryption: { recipients: [age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p], identityFile: ./id.txt }',
      '    sandbox: { server: scratch, maskingSql: ./masking }',
    ]);
    expect(await unreadableConfigFiles(config)).toEqual([
      { path: 'targets.shop.tls.ca', message: `${join(dir, 'missing-ca.pem')}: no such file` },
      { path: 'targets.shop.encryption.identityFile', message: `${join(dir, 'id.txt')}: no such file` },
      { path: 'targets.shop.sandbox.maskingSql', message: `${join(dir, 'masking')}: not a file` },
      { path: 'testServers.scratch.tls.key', message: `${join(dir, 'client.key')}: no such file` },
    ]);
  });

  it('finds nothing wrong when every file is there', async () => {
    const config = await load([
      'targets:',
      '  shop: { engine: postgres, user: b, databases: [shop], destinations: [local], tls: { mode: verify-full, ca: ./ca.pem } }',
    ]);
    expect(await unreadableConfigFiles(config)).toEqual([]);
  });

  // A header or a label named `key` was taken for a TLS key: its value made a path, then a
  // warning that printed it (a header's value is often a token) and a header sent as that path.
  it('leaves labels and headers as written, whatever their names', async () => {
    const config = await load([
      'notifications:',
      '  channels:',
      '    hook: { type: webhook, url: "https://hooks.example.com/x", headers: { key: sk_live_Zq9, ca: x } }',
      'targets:',
      '  shop: { engine: postgres, user: b, databases: [shop], destinations: [local], labels: { key: shop-main, cert: x } }',
    ]);
    expect(await unreadableConfigFiles(config)).toEqual([]);
    expect(config.targets['shop']?.labels).toEqual({ key: 'shop-main', cert: 'x' });
    const hook = config.notifications.channels['hook'];
    expect(hook?.type === 'webhook' && hook.headers).toEqual({ key: 'sk_live_Zq9', ca: 'x' });
  });
});
