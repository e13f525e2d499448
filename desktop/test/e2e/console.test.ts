import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mariadbExec, uniqueName } from '../../../agent/test/harness/sql.ts';
import { waitFor } from '../../../agent/test/harness/wait-for.ts';
import { secrets } from '../../../agent/test/api/api-harness.ts';
import { launchChromium, screenshot } from './browser.ts';
import { buildWebBundle, startE2eAgent, type E2eAgent } from './e2e-agent.ts';

/**
 * The console in Debian Chromium against a real agent serving the web bundle, with a real
 * MariaDB database: sign-in, the overview, a backup with a moving progress bar, a download whose
 * checksum matches, a restore through the typed confirmation, a viewer without operator actions,
 * recovery after an agent restart. Saves a screenshot of each main screen.
 */
const database = uniqueName('py_t_e2e');
/** mariadb-dump slowed to ~20 MB/s, so the backup lasts long enough to see its bar move. */
const slowDump = fileURLToPath(new URL('./slow-dump.sh', import.meta.url));
let webRoot: string;
let agent: E2eAgent;
let browser: Browser;
let operator: { context: BrowserContext; page: Page };

async function rows(): Promise<number> {
  const [row] = (await mariadbExec(`SELECT count(*) AS n FROM ${database}.events`)) as { n: number }[];
  return Number(row!.n);
}

async function signIn(
  user: 'alice' | 'victor',
  password: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(agent.url);
  await page.waitForURL(/\/login/);
  await page.getByTestId('login-user').locator('input').fill(user);
  await page.getByTestId('login-password').locator('input').fill(password);
  await page.getByTestId('login-submit').click();
  await page.getByTestId('overview-table').waitFor();
  return { context, page };
}

beforeAll(async () => {
  webRoot = await mkdtemp(join(tmpdir(), 'py-e2e-web-'));
  await buildWebBundle(webRoot);
  await mariadbExec(
    `CREATE DATABASE ${database}; CREATE TABLE ${database}.events (id INT PRIMARY KEY, payload TEXT);
     INSERT INTO ${database}.events SELECT seq, REPEAT(MD5(seq), 12) FROM seq_1_to_150000;`,
    'test',
  );
  agent = await startE2eAgent({
    webRoot,
    targets: {
      shop: {
        engine: 'mariadb',
        host: '127.0.0.1',
        port: 3306,
        user: 'root',
        databases: [database],
        dumpCommand: slowDump,
        destinations: ['local'],
        schedule: '0 3 * * *',
        maxAge: '1d',
        retention: { keepLast: 3, tiers: [{ every: '1d', for: '7d' }] },
      },
    },
  });
  // A first backup, so the next one knows its expected size (a progress bar with a percentage).
  await agent.daemon.agent().backup({ targetName: 'shop' });
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await agent?.close();
  await mariadbExec(`DROP DATABASE IF EXISTS ${database}`);
  await rm(webRoot, { recursive: true, force: true });
});

describe('the web console', () => {
  it('signs in and shows every target, the user and the role', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    await page.goto(agent.url);
    await page.waitForURL(/\/login/);
    await screenshot(page, '01-login');
    await context.close();

    operator = await signIn('alice', secrets.alicePassword);
    const { page: op } = operator;
    await op.getByTestId('target-link-shop').waitFor();
    await expect.poll(() => op.getByTestId('current-user').textContent()).toBe('alice');
    expect(await op.getByTestId('current-role').textContent()).toContain('operator');
    expect(await op.getByTestId('countdown-shop').textContent()).toMatch(/^in \d/);
    await screenshot(op, '02-overview');
  });

  it('starts a backup from the UI: the progress bar moves and the run finishes', async () => {
    const { page } = operator;
    await page.getByTestId('target-link-shop').click();
    // One row per artifact, each with its download button; wait until the page shows the stored ones.
    const shown = () => page.getByTestId('artifacts-table').locator('[data-testid^="download-"]').count();
    const before = agent.daemon.agent().catalog.list({ target: 'shop' }).length;
    expect(before).toBeGreaterThan(0);
    await expect.poll(shown).toBe(before);
    await page.getByTestId('backup-now').click();
    const bar = page.getByTestId('run-progress').first();
    await bar.waitFor();
    const seen = new Set<string>();
    let shot = false;
    while ((await page.getByTestId('run-progress').count()) > 0) {
      const percent = await bar.getAttribute('data-percent').catch(() => null);
      if (percent) seen.add(percent);
      if (!shot && percent && Number(percent) > 10) {
        await page.waitForTimeout(250); // the bar's fill eases to its width in 0.2 s
        await screenshot(page, '03-target-backup-running');
        shot = true;
      }
      await page.waitForTimeout(50);
    }
    expect(seen.size).toBeGreaterThanOrEqual(2);
    await expect.poll(shown).toBe(before + 1);
    await expect.poll(() => page.getByTestId('target-health').textContent()).toBe('ok');
    await screenshot(page, '04-target-artifacts');
  });

  it('downloads an artifact whose sha256 matches its manifest', async () => {
    const { page } = operator;
    const newest = agent.daemon.agent().catalog.list({ target: 'shop' })[0]!.manifest;
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId(`download-${newest.artifactId}`).click(),
    ]);
    const file = await download.path();
    const bytes = await readFile(file);
    expect(bytes.length).toBe(newest.storedBytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(newest.sha256);
  });

  it('restores over the database through the typed confirmation', async () => {
    const { page } = operator;
    const newest = agent.daemon.agent().catalog.list({ target: 'shop' })[0]!.manifest;
    await mariadbExec(`DELETE FROM ${database}.events WHERE id > 1000`);
    await page.getByTestId(`restore-${newest.artifactId}`).click();
    const dialog = page.getByTestId('restore-dialog');
    await dialog.waitFor();
    await expect.poll(() => page.getByTestId('restore-mode').textContent()).toContain('REPLACED');
    const start = page.getByTestId('restore-start');
    expect(await start.isDisabled()).toBe(true);
    await page.getByTestId('restore-confirm').locator('input').fill(database);
    await screenshot(page, '05-restore-dialog');
    expect(await start.isDisabled()).toBe(false);
    await start.click();
    const result = page.getByTestId('restore-result');
    await result.waitFor({ timeout: 60_000 });
    expect(await result.textContent()).toContain('Restored');
    await screenshot(page, '06-restore-done');
    expect(await rows()).toBe(150_000);
    await page.getByTestId('restore-close').click();
    await dialog.waitFor({ state: 'detached' });

    // The safety backup taken before the load is tagged as such, with the restore it preceded.
    const safety = agent.daemon
      .agent()
      .catalog.list({ target: 'shop' })
      .find((entry) => entry.manifest.labels['port-yard.reason'] === `before restoring ${newest.artifactId}`);
    expect(safety).toBeDefined();
    const tag = page.getByTestId(`reason-${safety!.manifest.artifactId}`);
    await tag.waitFor();
    expect(await tag.textContent()).toBe('safety backup');
    expect(await tag.getAttribute('title')).toBe(`before restoring ${newest.artifactId}`);
    expect(await page.getByTestId(`reason-${newest.artifactId}`).count()).toBe(0);
    await screenshot(page, '06b-safety-backup-tag');
  });

  it('shows the charts, the run history and the retention preview', async () => {
    const { page } = operator;
    await page.locator('.n-tabs-tab', { hasText: 'Size and duration' }).click();
    await page.getByTestId('target-charts').locator('canvas').first().waitFor();
    await screenshot(page, '07-target-charts');
    await page.locator('.n-tabs-tab', { hasText: 'Run history' }).click();
    await page.getByTestId('run-history').waitFor();
    await screenshot(page, '08-target-runs');
    await page.locator('.n-tabs-tab', { hasText: 'Retention preview' }).click();
    await page.getByTestId('retention-summary').waitFor();
    await screenshot(page, '09-target-retention');
  });

  it('shows the sandboxes and the audit log, and a dark theme', async () => {
    const { page } = operator;
    await page.getByTestId('nav-sandboxes').click();
    await page.getByTestId('sandboxes-table').waitFor();
    expect(await page.getByTestId('extend-by').count()).toBe(1);
    await screenshot(page, '10-sandboxes');
    await page.getByTestId('nav-audit').click();
    await page.getByTestId('audit-table').getByText('artifact.restore').first().waitFor();
    // One restore request, one outcome: nothing was sent twice, nothing refused.
    expect(await page.getByTestId('audit-table').getByText('failed', { exact: true }).count()).toBe(0);
    await screenshot(page, '11-audit');
    await page.getByTestId('theme-toggle').click();
    await page.getByTestId('nav-overview').click();
    await page.getByTestId('overview-table').waitFor();
    await screenshot(page, '12-overview-dark');
    await page.getByTestId('theme-toggle').click();
  });

  it('fits the artifacts table into 1280 px, and every screen into a 390 px phone', async () => {
    const { page } = operator;
    await page.getByTestId('target-link-shop').click();
    await page.getByTestId('artifacts-table').locator('tbody tr').first().waitFor();
    // Every action button visible without scrolling sideways.
    const body = page.getByTestId('artifacts-table').locator('.n-data-table-base-table-body');
    expect(await body.evaluate((element) => element.scrollWidth - element.clientWidth)).toBeLessThanOrEqual(
      0,
    );

    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    try {
      for (const [name, path, ready] of [
        ['overview', '/', 'overview-table'],
        ['target', '/agents/local/targets/shop', 'artifacts-table'],
        ['sandboxes', '/sandboxes', 'sandboxes-table'],
        ['audit', '/audit', 'audit-table'],
      ] as const) {
        await page.goto(agent.url + path);
        await page.getByTestId(ready).waitFor();
        await screenshot(page, `15-narrow-${name}`);
        // Wide tables scroll inside their box; the header wraps: the page never runs off the side.
        expect(await overflow(), name).toBeLessThanOrEqual(0);
      }
      await page.goto(`${agent.url}/agents/local/targets/shop`);
      await page.locator('.n-tabs-tab', { hasText: 'Size and duration' }).click();
      await page.getByTestId('target-charts').locator('canvas').first().waitFor();
      expect(await overflow(), 'charts').toBeLessThanOrEqual(0);
    } finally {
      await page.setViewportSize({ width: 1280, height: 720 });
    }
  });

  it('says that a target does not exist, with a link back (a stale link)', async () => {
    const { page } = operator;
    await page.goto(`${agent.url}/agents/local/targets/shpo`);
    await page.getByTestId('target-missing').waitFor();
    expect(await page.getByTestId('target-missing').textContent()).toContain('has no target named shpo');
    await screenshot(page, '16-target-missing');
    await page.getByTestId('back-to-overview').click();
    await page.getByTestId('overview-table').waitFor();
  });

  it('signed out, any page leads to the sign-in, which comes back to that page', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    const page = await context.newPage();
    try {
      await page.goto(`${agent.url}/agents/local/targets/shop`);
      await page.waitForURL(/\/login\?next=\/agents\/local\/targets\/shop$/);
      await page.getByTestId('login-user').locator('input').fill('alice');
      await page.getByTestId('login-password').locator('input').fill(secrets.alicePassword);
      await page.getByTestId('login-submit').click();
      await page.getByTestId('artifacts-table').waitFor();
      expect(new URL(page.url()).pathname).toBe('/agents/local/targets/shop');
      // Signed out again, the header's links lead to the sign-in, not to pages that look empty.
      await page.getByTestId('sign-out').click();
      await page.waitForURL(/\/login/);
      await page.getByTestId('nav-sandboxes').click();
      await page.waitForURL(/\/login\?next=\/sandboxes$/);
      expect(await page.getByTestId('sandboxes-table').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('works from the keyboard: Tab reaches a target, Enter opens it', async () => {
    const { page } = operator;
    await page.getByTestId('nav-overview').click();
    await page.getByTestId('target-link-shop').waitFor();
    await page.locator('body').focus();
    let reached = false;
    for (let step = 0; step < 20 && !reached; step += 1) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(
        () => document.activeElement?.getAttribute('data-testid') === 'target-link-shop',
      );
    }
    expect(reached).toBe(true);
    await page.keyboard.press('Enter');
    await page.getByTestId('artifacts-table').waitFor();
    expect(page.url()).toContain('/targets/shop');
  });

  it('shows a viewer no operator action, and the agent refuses them anyway', async () => {
    const viewer = await signIn('victor', secrets.victorPassword);
    const { page } = viewer;
    expect(await page.getByTestId('current-role').textContent()).toContain('viewer');
    await page.getByTestId('target-link-shop').click();
    await page.getByTestId('artifacts-table').locator('tbody tr').first().waitFor();
    expect(await page.getByTestId('backup-now').count()).toBe(0);
    expect(await page.locator('[data-testid^="download-"]').count()).toBeGreaterThan(0);
    for (const action of ['restore-', 'delete-', 'pin-', 'verify-', 'sandbox-'])
      expect(await page.locator(`[data-testid^="${action}"]`).count()).toBe(0);
    expect(await page.getByTestId('nav-audit').count()).toBe(0);
    const status = await page.evaluate(async () => {
      const response = await fetch('/api/trpc/runs.start', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ target: 'shop' }),
      });
      return response.status;
    });
    expect(status).toBe(403);
    await screenshot(page, '13-target-viewer');
    // No sandbox controls a viewer cannot use.
    await page.getByTestId('nav-sandboxes').click();
    await page.getByTestId('sandboxes-table').waitFor();
    expect(await page.getByTestId('extend-by').count()).toBe(0);
    expect(await page.getByTestId('sandbox-hint').count()).toBe(0);
    await viewer.context.close();
  });

  it('recovers by itself after the agent restarts', async () => {
    // An API token (as a proxy or the desktop app would send): it outlives the restart, unlike
    // the in-memory password session.
    const context = await browser.newContext({
      viewport: { width: 1280, height: 720 },
      extraHTTPHeaders: { authorization: `Bearer ${secrets.operatorToken}` },
    });
    const page = await context.newPage();
    await page.goto(agent.url);
    await page.getByTestId('target-link-shop').waitFor();
    await agent.stop();
    await page.getByTestId('offline-banner').waitFor({ timeout: 20_000 });
    await screenshot(page, '14-agent-offline');
    await agent.start();
    await page.getByTestId('offline-banner').waitFor({ state: 'detached', timeout: 30_000 });
    // Live again: a run started elsewhere shows up without a reload.
    agent.daemon.runNow('shop');
    await page.getByTestId('run-progress').first().waitFor({ timeout: 20_000 });
    await waitFor(
      'the run to end',
      () => agent.daemon.registry.list({ target: 'shop' })[0]?.status === 'succeeded',
      60_000,
    );
    await context.close();
  });
});
