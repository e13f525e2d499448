// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { NDialogProvider, NMessageProvider } from 'naive-ui';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import type { RestorePlan } from '@port-yard/shared';
import { fakeAgent, type FakeAgent } from '../../../test/support/fake-agent.ts';
import { useAgentsStore, useConnector } from '../stores/agents.ts';
import RestoreDialog from './RestoreDialog.vue';

const replacePlan: RestorePlan = {
  artifactId: '2026-11-26T03-28-22Z_iy5atpwg4r',
  target: 'shop',
  sourceDatabase: 'shop',
  database: 'shop',
  mode: 'replace',
  server: 'root@db1:3306',
  serverVersion: '10.11.19-MariaDB',
  databaseBytes: 52_000_000,
  artifact: {
    startedAt: '2026-11-26T03:28:22Z',
    ageSeconds: 3600,
    storedBytes: 9_000_000,
    rawBytes: 40_000_000,
    serverVersion: '10.11.6-MariaDB',
  },
  openConnections: { count: 2, users: ['app'] },
  atomic: false,
  warnings: ['MariaDB cannot swap databases: shop is emptied before the load'],
  defaults: { safetyBackup: true, openConnections: 'refuse' },
  confirmation: 'shop',
};

let fake: FakeAgent;
let closed = 0;
let unmount: (() => void) | undefined;

async function open(plan: RestorePlan | Error) {
  fake.plan = plan;
  const store = useAgentsStore();
  store.connect({ id: 'a', name: 'prod', url: 'http://agent' });
  const Host = defineComponent(
    () => () =>
      h(NMessageProvider, () =>
        h(NDialogProvider, () =>
          h(RestoreDialog, {
            agentId: 'a',
            artifactId: replacePlan.artifactId,
            onClose: () => (closed += 1),
          }),
        ),
      ),
  );
  const wrapper = mount(Host, { attachTo: document.body });
  unmount = () => wrapper.unmount();
  await flushPromises();
  return { store };
}

const $ = (testid: string) => document.body.querySelector(`[data-testid="${testid}"]`) as HTMLElement | null;
const input = (testid: string) => $(testid)!.querySelector('input') as HTMLInputElement;
async function type(testid: string, text: string) {
  const element = input(testid);
  element.value = text;
  element.dispatchEvent(new Event('input'));
  await flushPromises();
}
/** Live events are applied in a batch on the next timer tick, then rendered. */
const settle = async () => {
  await new Promise((resolve) => setTimeout(resolve, 0));
  await flushPromises();
};
const startButton = () => $('restore-start') as HTMLButtonElement;

beforeEach(() => {
  setActivePinia(createPinia());
  fake = fakeAgent();
  useConnector(fake.connector, { batchMs: 0 });
});
afterEach(() => {
  unmount?.();
  document.body.innerHTML = '';
});

describe('the restore dialog', () => {
  it('shows what will be overwritten: server, database, its size, the artifact age, and the warnings', async () => {
    await open(replacePlan);
    const text = $('restore-dialog')!.textContent!;
    expect(text).toContain('root@db1:3306 (10.11.19-MariaDB)');
    expect($('restore-database')!.textContent).toBe('shop');
    expect($('restore-mode')!.textContent).toContain('will be REPLACED');
    expect(text).toContain('52 MB');
    expect(text).toContain('ago');
    expect($('restore-warning')!.textContent).toContain('emptied before the load');
    expect(fake.calls.find((call) => call.path === 'artifacts.restorePlan')!.input).toEqual({
      id: replacePlan.artifactId,
    });
  });

  it('enables the restore only once the database name is typed exactly', async () => {
    await open(replacePlan);
    expect(startButton().disabled).toBe(true);
    await type('restore-confirm', 'Shop');
    expect(startButton().disabled).toBe(true);
    await type('restore-confirm', 'shop');
    expect(startButton().disabled).toBe(false);
  });

  it('sends the typed name and the options, then follows the run to its outcome', async () => {
    await open(replacePlan);
    await type('restore-confirm', 'shop');
    ($('restore-safety-backup')! as HTMLElement).click();
    ($('restore-terminate')! as HTMLElement).click();
    await flushPromises();
    startButton().click();
    await flushPromises();
    expect(fake.calls.filter((call) => call.path === 'artifacts.restore')).toHaveLength(1);
    expect(fake.calls.find((call) => call.path === 'artifacts.restore')!.input).toEqual({
      id: replacePlan.artifactId,
      confirm: 'shop',
      safetyBackup: false,
      openConnections: 'terminate',
    });
    const base = {
      id: 'run-restore-1',
      kind: 'restore' as const,
      target: 'shop',
      trigger: 'manual' as const,
      queuedAt: '2026-11-26T04:00:00Z',
    };
    fake.pushRun({
      ...base,
      status: 'running',
      progress: {
        target: 'shop',
        database: 'shop',
        phase: 'restore',
        rawBytes: 0,
        storedBytes: 4_500_000,
        totalStoredBytes: 9_000_000,
        bytesPerSecond: 1_000_000,
        elapsedMs: 4000,
        etaSeconds: 5,
      },
    });
    await settle();
    expect($('run-progress')!.dataset.percent).toBe('50');
    expect($('restore-cancel')).not.toBeNull();
    fake.pushRun({
      ...base,
      status: 'succeeded',
      message: 'restored it into shop',
      restore: {
        artifactId: 'x',
        database: 'shop',
        mode: 'replace',
        warnings: [],
        safetyArtifactId: 'safety-1',
      },
    });
    await settle();
    expect($('restore-result')!.textContent).toContain('restored it into shop');
    expect($('restore-result')!.textContent).toContain('safety-1');
    // The agent's own message names the safety backup: it is not repeated.
    fake.pushRun({
      ...base,
      status: 'succeeded',
      message: 'restored it into shop (safety backup: safety-1)',
      restore: {
        artifactId: 'x',
        database: 'shop',
        mode: 'replace',
        warnings: [...replacePlan.warnings, 'the safety backup safety-2 is not in storage offsite: EROFS'],
        safetyArtifactId: 'safety-1',
      },
    });
    await settle();
    expect($('restore-result')!.textContent!.split('safety-1')).toHaveLength(2);
    // What the restore met beyond the plan's warnings (those were shown before it started).
    expect($('restore-result-warnings')!.textContent).toContain('is not in storage offsite');
    expect($('restore-result-warnings')!.textContent).not.toContain(replacePlan.warnings[0]);
  });

  it('says why the restore could not be cancelled (no unhandled rejection)', async () => {
    await open(replacePlan);
    await type('restore-confirm', 'shop');
    startButton().click();
    await flushPromises();
    expect($('restore-running')).not.toBeNull();
    fake.cancel = new Error('the agent is unreachable');
    $('restore-cancel')!.click();
    await flushPromises();
    expect(fake.calls.filter((call) => call.path === 'runs.cancel')).toHaveLength(1);
    expect($('restore-cancel-error')?.textContent).toContain(
      'could not be cancelled: the agent is unreachable',
    );
  });

  it('never starts the restore of a plan for another database than the one typed (Enter in the field)', async () => {
    await open(replacePlan);
    await type('restore-confirm', 'shop');
    expect(startButton().disabled).toBe(false);
    // The user changes their mind and restores into a copy instead: no blur, just Enter.
    await type('restore-to-database', 'shop_copy');
    input('restore-to-database').form!.dispatchEvent(new Event('submit', { cancelable: true }));
    await flushPromises();
    expect(fake.calls.filter((call) => call.path === 'artifacts.restore')).toEqual([]);
    // The plan for the name typed is fetched instead, and shown before anything can start.
    expect(fake.calls.filter((call) => call.path === 'artifacts.restorePlan').at(-1)!.input).toEqual({
      id: replacePlan.artifactId,
      toDatabase: 'shop_copy',
    });
  });

  it('disables the restore while the database typed differs from the plan shown', async () => {
    await open(replacePlan);
    await type('restore-confirm', 'shop');
    await type('restore-to-database', 'shop_copy');
    expect(startButton().disabled).toBe(true);
  });

  it('a restore into a new database needs no typed name', async () => {
    await open({
      ...replacePlan,
      mode: 'new',
      confirmation: undefined,
      databaseBytes: undefined,
      warnings: [],
    });
    expect($('restore-confirm')).toBeNull();
    expect($('restore-mode')!.textContent).toContain('new');
    expect(startButton().disabled).toBe(false);
  });

  it('shows why a plan cannot be made', async () => {
    await open(new Error('no artifact x in any storage'));
    expect($('restore-plan-error')!.textContent).toContain('no artifact x in any storage');
    expect($('restore-start')).toBeNull();
  });

  // The error replaced the whole form: no field was left to correct the name in.
  it('says why a name typed is refused under the field, which stays to be corrected', async () => {
    await open(replacePlan);
    fake.plan = new Error('toDatabase: mysql is a system database');
    await type('restore-to-database', 'mysql');
    input('restore-to-database').dispatchEvent(new Event('blur'));
    await flushPromises();
    expect($('restore-plan-error')!.textContent).toContain('mysql is a system database');
    expect($('restore-to-database')).not.toBeNull();
    expect(startButton().disabled).toBe(true);
    fake.plan = { ...replacePlan, mode: 'new', database: 'shop_copy', confirmation: undefined };
    await type('restore-to-database', 'shop_copy');
    input('restore-to-database').dispatchEvent(new Event('blur'));
    await flushPromises();
    expect($('restore-plan-error')).toBeNull();
    expect(startButton().disabled).toBe(false);
  });

  it('closes with Escape', async () => {
    await open(replacePlan);
    closed = 0;
    $('restore-dialog')!.dispatchEvent(
      new KeyboardEvent('keydown', { key: 'Escape', code: 'Escape', bubbles: true }),
    );
    await flushPromises();
    expect(closed).toBe(1);
  });
});
