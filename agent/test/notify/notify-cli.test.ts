import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookBodySchema } from '@port-yard/shared';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

/** `port-yard notify test <channel>` as a user runs it: exit 0 delivered, 1 failed, 2 no such channel. */
const repoRoot = resolve(import.meta.dirname, '../../..');
const bin = join(repoRoot, 'agent/bin/port-yard.js');
const node = join(repoRoot, 'node_modules/.bin/node');

let dir: string;
let configFile: string;
let receiver: WebhookReceiver;

function cli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(node, [bin, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-notify-cli-'));
  receiver = await startWebhookReceiver();
  receiver.answer('/services/T0/B0/cli-secret-gone', () => ({ status: 404, body: 'no_service' }));
  // A receiver that echoes the parts of its URL that authenticate, one by one.
  receiver.answer('/hooks/key-in-path-123?token=tok-in-query-456', () => ({
    status: 401,
    body: 'invalid token tok-in-query-456 for key-in-path-123',
  }));
  configFile = join(dir, 'port-yard.yaml');
  await writeFile(
    configFile,
    `version: 1
storages: { local: { type: filesystem, path: ./backups } }
notifications:
  channels:
    ops: { type: webhook, url: "\${OPS_HOOK_URL}", secret: s3cret }
    gone: { type: slack, url: "${receiver.url}/services/T0/B0/cli-secret-gone" }
    echo: { type: webhook, url: "${receiver.url}/hooks/key-in-path-123?token=tok-in-query-456" }
  attempts: 2
`,
  );
});

afterAll(async () => {
  await receiver?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('port-yard notify test', () => {
  it('exits 0 when the test notification was delivered', async () => {
    const result = await cli(['--config', configFile, 'notify', 'test', 'ops'], {
      OPS_HOOK_URL: `${receiver.url}/ops-hook`,
    });
    expect(result).toMatchObject({
      code: 0,
      stdout: 'sent a test notification to ops (webhook) in 1 attempt\n',
    });
    const body = webhookBodySchema.parse(receiver.to('/ops-hook')[0]!.json);
    expect(body).toMatchObject({ event: 'test', target: null });
  });

  it('exits 1 with the reason when it failed, without the URL', async () => {
    const result = await cli(['--config', configFile, 'notify', 'test', 'gone'], {
      OPS_HOOK_URL: 'http://x',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error: the test notification to gone failed after 1 attempt: HTTP 404 Not Found: no_service',
    );
    expect(result.stdout + result.stderr).not.toContain('cli-secret-gone');
  });

  it('does not repeat a token of the URL that the receiver echoed, alone', async () => {
    const result = await cli(['--config', configFile, 'notify', 'test', 'echo'], {
      OPS_HOOK_URL: 'http://x',
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('HTTP 401 Unauthorized: invalid token <redacted> for <redacted>');
    expect(result.stdout + result.stderr).not.toMatch(/tok-in-query-456|key-in-path-123/);
  });

  it('exits 2 for a channel that is not in the config', async () => {
    const result = await cli(['--config', configFile, 'notify', 'test', 'pager'], {
      OPS_HOOK_URL: 'http://x',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'no notification channel named pager (notifications.channels: ops, gone, echo)',
    );
  });
});
