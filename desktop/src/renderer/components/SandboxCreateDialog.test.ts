// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { NMessageProvider } from 'naive-ui';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import type { SandboxCredentials } from '@port-yard/shared';
import { fakeAgent, type FakeAgent } from '../../../test/support/fake-agent.ts';
import { useAgentsStore, useConnector } from '../stores/agents.ts';
import SandboxCreateDialog from './SandboxCreateDialog.vue';

/**
 * A sandbox's password is shown once, when the deploy answers: the dialog cannot be closed while
 * it runs, else the sandbox is made and its credentials are lost.
 */
let fake: FakeAgent;
let unmount: (() => void) | undefined;
const $ = (testid: string) => document.body.querySelector(`[data-testid="${testid}"]`) as HTMLElement | null;

beforeEach(() => {
  setActivePinia(createPinia());
  fake = fakeAgent();
  useConnector(fake.connector, { batchMs: 0 });
});
afterEach(() => {
  unmount?.();
  document.body.innerHTML = '';
});

describe('the sandbox deploy dialog', () => {
  it('cannot be cancelled while the deploy runs, then shows the credentials', async () => {
    let answer: (credentials: SandboxCredentials) => void = () => undefined;
    fake.sandbox = new Promise((resolve) => (answer = resolve));
    useAgentsStore().connect({ id: 'a', name: 'prod', url: 'http://agent' });
    const closed: unknown[] = [];
    const Host = defineComponent(
      () => () =>
        h(NMessageProvider, () =>
          h(SandboxCreateDialog, {
            agentId: 'a',
            artifactId: '2026-11-26T03-28-22Z_iy5atpwg4r',
            onClose: () => closed.push(true),
          }),
        ),
    );
    const wrapper = mount(Host, { attachTo: document.body });
    unmount = () => wrapper.unmount();
    await flushPromises();

    $('sandbox-create')!.click();
    await flushPromises();
    expect($('sandbox-busy')?.textContent).toContain('keep this open');
    expect(($('sandbox-cancel') as HTMLButtonElement).disabled).toBe(true);
    $('sandbox-cancel')!.click();
    expect(document.body.querySelector('.n-base-close')).toBeNull(); // no close button either
    expect(closed).toEqual([]);

    answer({
      id: 'py_sbx_0123456789',
      engine: 'postgres',
      host: 'db',
      port: 5432,
      database: 'py_sbx_0123456789',
      user: 'py_sbx_0123456789',
      password: 'shown-once',
      uri: 'postgresql://py_sbx_0123456789:shown-once@db:5432/py_sbx_0123456789',
      expiresAt: '2026-11-27T12:00:00Z',
    } as unknown as SandboxCredentials);
    await flushPromises();
    expect(document.body.textContent).toContain('Sandbox ready');
    const password = $('credential-Password')!.querySelector('input') as HTMLInputElement;
    expect(password.value).toBe('shown-once');
  });
});
