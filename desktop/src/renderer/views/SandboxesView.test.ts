// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { NDialogProvider, NMessageProvider } from 'naive-ui';
import { describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import type { SandboxSummary } from '@port-yard/shared';
import { operatorSession } from '../../../test/support/fake-agent.ts';
import { buttonWith, byTestId, withFakeAgent } from '../../../test/support/with-fake-agent.ts';
import { useAgentsStore } from '../stores/agents.ts';
import SandboxesView from './SandboxesView.vue';

/** The sandboxes screen: the agent sets a sandbox's expiry from now, which may shorten it. */
const page = withFakeAgent();
const $ = byTestId;

const sandbox = (hoursLeft: number): SandboxSummary => ({
  id: 'py_sbx_3f9a1c07d2',
  server: 'scratch',
  target: 'shop',
  artifactId: '2026-11-26T03-28-22Z_iy5atpwg4r',
  database: 'py_sbx_3f9a1c07d2',
  user: 'py_sbx_3f9a1c07d2',
  host: '127.0.0.1',
  port: 3306,
  createdAt: new Date().toISOString(),
  expiresAt: new Date(Date.now() + hoursLeft * 3_600_000).toISOString(),
  createdBy: 'olga',
  status: 'ready',
});

async function show(hoursLeft: number, expireIn: string): Promise<void> {
  page.fake.session = operatorSession;
  page.fake.sandboxes = [sandbox(hoursLeft)];
  useAgentsStore().connect({ id: 'a', name: 'prod', url: 'http://agent' });
  page.fake.open();
  await flushPromises();
  const Host = defineComponent(
    () => () => h(NMessageProvider, () => h(NDialogProvider, () => h(SandboxesView))),
  );
  page.mountInPage(Host);
  await flushPromises();
  const input = $('extend-by')!.querySelector('input')!;
  input.value = expireIn;
  input.dispatchEvent(new Event('input'));
  await flushPromises();
  $('extend-py_sbx_3f9a1c07d2')!.click();
  await flushPromises();
}

const extended = () => page.fake.calls.filter((call) => call.path === 'sandboxes.extend');

describe('setting when a sandbox expires', () => {
  it('sets a later expiry at once', async () => {
    await show(1, '4h');
    expect(extended()).toEqual([{ path: 'sandboxes.extend', input: { id: 'py_sbx_3f9a1c07d2', ttl: '4h' } }]);
  });

  // It said "Extend 30m", and cut a sandbox with 3 hours left to 30 minutes without a word.
  it('asks before it shortens a sandbox life, and changes nothing unless confirmed', async () => {
    await show(3, '30m');
    expect(extended()).toEqual([]);
    expect(document.body.textContent).toContain("Shorten py_sbx_3f9a1c07d2's life?");
    buttonWith('Keep it')!.click();
    await flushPromises();
    expect(extended()).toEqual([]);
  });
});
