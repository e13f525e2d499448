// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeAgent, operatorSession, type FakeAgent } from '../../../test/support/fake-agent.ts';
import { useAgentsStore, useConnector } from '../stores/agents.ts';
import ConnectionBanner from './ConnectionBanner.vue';

let fake: FakeAgent;
let unmount: (() => void) | undefined;
beforeEach(() => {
  setActivePinia(createPinia());
  fake = fakeAgent();
  useConnector(fake.connector, { batchMs: 0 });
});
afterEach(() => {
  unmount?.();
  document.body.innerHTML = '';
});

async function show() {
  useAgentsStore().connect({ id: 'a', name: 'prod', url: 'http://agent' });
  const wrapper = mount(ConnectionBanner, { attachTo: document.body });
  unmount = () => wrapper.unmount();
  await flushPromises();
}
const text = () => document.body.textContent ?? '';

describe('the connection banner', () => {
  it('says why an agent shows nothing when it refuses the token', async () => {
    fake.session = new Error('the API token is not valid') as never;
    await show();
    expect(text()).toContain('prod');
    expect(text()).toContain('the API token is not valid');
  });

  it('says why the targets could not be read', async () => {
    fake.targets = new Error('storage local is unreachable') as never;
    await show();
    expect(text()).toContain('storage local is unreachable');
  });

  it('stays quiet for a signed-out visitor (the login screen says it) and a healthy agent', async () => {
    fake.session = {
      ...operatorSession,
      identity: null,
      permissions: { ...operatorSession.permissions, view: false },
    };
    await show();
    expect(text()).toBe('');
    unmount?.();
    setActivePinia(createPinia());
    fake = fakeAgent();
    useConnector(fake.connector, { batchMs: 0 });
    await show();
    expect(text()).toBe('');
  });
});
