// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { NDialogProvider, NMessageProvider } from 'naive-ui';
import { describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import { createMemoryHistory, createRouter } from 'vue-router';
import type { RunRecord, TargetStatus } from '@port-yard/shared';
import { fakeArtifact } from '../../../test/support/fake-agent.ts';
import { buttonWith, byTestId, withFakeAgent } from '../../../test/support/with-fake-agent.ts';
import type { RetentionPlan } from '../api/api-types.ts';
import { useAgentsStore } from '../stores/agents.ts';
import TargetView from './TargetView.vue';

/** The target screen: a target the agent does not have, and sandboxes only where a test server is set. */
const page = withFakeAgent();
const $ = byTestId;

const shop: TargetStatus = {
  name: 'shop',
  engine: 'mariadb',
  timezone: 'UTC',
  failuresSinceStartup: 0,
  stale: false,
  lastSuccessAt: '2026-11-26T03:28:22Z',
};
const artifact = fakeArtifact();

async function show(target: string, artifacts = [artifact], status = shop): Promise<void> {
  page.fake.targets = [status];
  page.fake.artifacts = artifacts;
  useAgentsStore().connect({ id: 'a', name: 'prod', url: 'http://agent' });
  page.fake.open();
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', name: 'overview', component: { render: () => null } },
      { path: '/agents/:agentId/targets/:target', name: 'target', component: TargetView, props: true },
    ],
  });
  await router.push(`/agents/a/targets/${target}`);
  const Host = defineComponent(
    () => () => h(NMessageProvider, () => h(NDialogProvider, () => h(TargetView, { agentId: 'a', target }))),
  );
  page.mountInPage(Host, { global: { plugins: [router] } });
  await flushPromises();
}

async function openTab(name: string): Promise<void> {
  $(`tab-${name}`)!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
  await flushPromises();
}

describe('the target screen', () => {
  it('says that the agent has no target of that name, with a way back', async () => {
    await show('shpo');
    expect($('target-missing')?.textContent).toContain('prod has no target named shpo');
    expect($('back-to-overview')?.getAttribute('href')).toBe('/');
    expect($('backup-now')).toBeNull();
    expect($('artifacts-table')).toBeNull();
  });

  it('shows a target the agent has', async () => {
    await show('shop');
    expect($('target-missing')).toBeNull();
    expect($('artifacts-table')).not.toBeNull();
  });

  it('offers no sandbox for a target without a test server for them, and says why', async () => {
    page.fake.info = { config: { targets: { shop: {} }, testServers: { scratch: {} } } };
    await show('shop');
    expect($(`restore-${artifact.manifest.artifactId}`)).not.toBeNull();
    expect($(`sandbox-${artifact.manifest.artifactId}`)).toBeNull();
    expect($('sandbox-unavailable')?.textContent).toContain('targets.shop.sandbox.server');
  });

  it('offers a sandbox when the target names a test server', async () => {
    page.fake.info = {
      config: { targets: { shop: { sandbox: { server: 'scratch' } } }, testServers: { scratch: {} } },
    };
    await show('shop');
    expect($(`sandbox-${artifact.manifest.artifactId}`)).not.toBeNull();
    expect($('sandbox-unavailable')).toBeNull();
  });

  it('offers no Verify for a target without a test server for verification, and says why', async () => {
    page.fake.info = {
      config: { targets: { shop: { sandbox: { server: 'scratch' } } }, testServers: { scratch: {} } },
    };
    await show('shop');
    expect($(`verify-${artifact.manifest.artifactId}`)).toBeNull();
    expect($('verify-unavailable')?.textContent).toContain('targets.shop.verify.server');
  });

  it('offers Verify when the target names a test server for it', async () => {
    page.fake.info = {
      config: { targets: { shop: { verify: { server: 'scratch' } } }, testServers: { scratch: {} } },
    };
    await show('shop');
    expect($(`verify-${artifact.manifest.artifactId}`)).not.toBeNull();
    expect($('verify-unavailable')).toBeNull();
  });
});

describe('what the target screen shows of a busy agent', () => {
  // It showed the first 500 (of 621), and nothing said there were more.
  it('lists every artifact, past the 500 the agent answers at once', async () => {
    const many = Array.from({ length: 1201 }, (_, index) =>
      fakeArtifact({
        manifest: {
          ...artifact.manifest,
          artifactId: `2026-11-26T03-28-22Z_${String(index).padStart(10, '0')}`,
        },
      }),
    );
    await show('shop', many);
    expect(page.fake.calls.filter((call) => call.path === 'artifacts.list')).toHaveLength(3);
    expect($('artifacts-table')?.textContent).toContain('1201 artifact(s)');
  });

  // The store keeps the newest 100 runs of all targets: other targets' runs pushed this one's out.
  it("shows the target's own runs, however many other targets ran since", async () => {
    const run = (id: string, target: string, queuedAt: string, message: string): RunRecord =>
      ({ id, target, trigger: 'schedule', status: 'failed', queuedAt, message }) as RunRecord;
    page.fake.runs = [
      ...Array.from({ length: 105 }, (_, index) =>
        run(`o${index}`, 'other', `2026-11-26T05:${String(59 - (index % 60)).padStart(2, '0')}:00Z`, 'x'),
      ),
      run('s1', 'shop', '2026-11-26T04:00:00Z', 'Access denied for user'),
    ];
    await show('shop');
    await openTab('runs');
    expect($('run-history')?.textContent).toContain('Access denied for user');
    expect($('run-history')?.textContent).not.toContain('other');
  });

  // 621 decisions were one table, slow to open and wider than a phone.
  it('pages the retention preview, counting its decisions', async () => {
    const keep = Array.from({ length: 60 }, (_, index) => ({ id: `a${index}`, reasons: ['keepLast'] }));
    page.fake.retentionPlan = [
      { storage: 'local', database: 'shop', plan: { delete: [], deferred: [], keep } },
    ] as unknown as RetentionPlan;
    await show('shop');
    await openTab('retention');
    expect($('retention-table')?.textContent).toContain('60 decision(s)');
    expect($('retention-table')!.querySelectorAll('tbody tr')).toHaveLength(25);
  });

  it('says the retention preview could not be read, not that there is no policy', async () => {
    page.fake.retentionPlan = new Error('storage local: connection refused');
    await show('shop');
    await openTab('retention');
    expect($('retention-error')?.textContent).toContain('storage local: connection refused');
  });
});

describe('the target screen by keyboard', () => {
  it('each tab is focusable and opens with Enter', async () => {
    await show('shop');
    const runs = $('tab-runs')!;
    expect(runs.getAttribute('role')).toBe('tab');
    expect(runs.getAttribute('tabindex')).toBe('0');
    expect(runs.getAttribute('aria-selected')).toBe('false');
    runs.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await flushPromises();
    expect($('tab-runs')!.getAttribute('aria-selected')).toBe('true');
    expect($('tab-artifacts')!.getAttribute('aria-selected')).toBe('false');
  });
});

/** A run of shop that is running now. */
const runningRun = (run: Partial<RunRecord>): RunRecord =>
  ({
    target: 'shop',
    status: 'running',
    queuedAt: '2026-11-26T04:00:00Z',
    startedAt: '2026-11-26T04:00:01Z',
    ...run,
  }) as RunRecord;

describe('cancelling a running backup', () => {
  // The API could, the console could not: a dump that weighed on production ran to its end.
  it('offers Cancel beside the running backup, and cancels it once confirmed', async () => {
    const running = runningRun({ id: 'r9', trigger: 'schedule' });
    page.fake.cancel = { cancelled: true };
    await show('shop', [artifact], { ...shop, running });
    $('cancel-run')!.click();
    await flushPromises();
    expect(page.fake.calls.filter((call) => call.path === 'runs.cancel')).toEqual([]);
    buttonWith('Cancel the run')!.click();
    await flushPromises();
    expect(page.fake.calls.filter((call) => call.path === 'runs.cancel')).toEqual([
      { path: 'runs.cancel', input: { runId: 'r9' } },
    ]);
  });
});

describe('cancelling a running restore', () => {
  // Its dialog closed (Escape), nothing was left to stop it with.
  it('offers Cancel for a restore too, saying what a cancelled restore leaves', async () => {
    const running = runningRun({
      id: 'r10',
      kind: 'restore',
      trigger: 'manual',
      restore: { artifactId: 'x', database: 'shop', mode: 'replace', warnings: [] },
    });
    await show('shop', [artifact], { ...shop, running });
    $('cancel-run')!.click();
    await flushPromises();
    expect(document.body.textContent).toContain('Cancel the running restore of shop?');
    expect(document.body.textContent).toContain('is left incomplete (its safety backup holds what it held)');
  });
});

describe('backing up now', () => {
  it('waits for the agent after a click: a second click sends nothing', async () => {
    let answer: (run: RunRecord) => void = () => undefined;
    page.fake.startRun = new Promise<RunRecord>((resolve) => (answer = resolve));
    await show('shop');
    $('backup-now')!.click();
    await flushPromises();
    $('backup-now')!.click();
    await flushPromises();
    expect(page.fake.calls.filter((call) => call.path === 'runs.start')).toHaveLength(1);
    expect($('backup-now')!.hasAttribute('disabled')).toBe(true);
    answer({
      id: 'r1',
      target: 'shop',
      trigger: 'manual',
      status: 'queued',
      queuedAt: '2026-11-26T04:00:00Z',
    } as RunRecord);
    await flushPromises();
    expect($('backup-now')!.hasAttribute('disabled')).toBe(false);
  });
});
