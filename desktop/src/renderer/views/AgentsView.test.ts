// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeAgent, operatorSession } from '../../../test/support/fake-agent.ts';
import type { DesktopBridge } from '../shell.ts';
import { useAgentsStore, useConnector } from '../stores/agents.ts';

/** The desktop bridge as the preload would expose it; sign-ins wait until cancelled. */
function fakeBridge() {
  const calls: string[] = [];
  const waiting = new Map<string, (error: Error) => void>();
  const bridge = {
    agents: {
      list: async () => [],
      add: async () => {
        throw new Error('not used');
      },
      // As the main process does: removing an agent ends its waiting sign-in.
      remove: async (agentId: string) => {
        calls.push(`remove ${agentId}`);
        waiting.get(agentId)?.(Object.assign(new Error('the sign-in was cancelled'), { code: 'CANCELLED' }));
      },
      signInWithOidc: (agentId: string) => {
        calls.push(`sign in ${agentId}`);
        return new Promise<void>((_resolve, reject) => waiting.set(agentId, reject));
      },
      cancelOidcSignIn: async (agentId: string) => {
        calls.push(`cancel ${agentId}`);
        waiting.get(agentId)?.(Object.assign(new Error('the sign-in was cancelled'), { code: 'CANCELLED' }));
      },
    },
    downloads: {
      start: async () => null,
      cancel: async () => undefined,
      onProgress: () => () => undefined,
    },
  } satisfies DesktopBridge;
  return { bridge, calls, waiting };
}

const desktop = fakeBridge();
// `shell.ts` reads `window.portYard` once, when it is first imported: set it before the view loads.
window.portYard = desktop.bridge;
const { default: AgentsView } = await import('./AgentsView.vue');

let unmount: (() => void) | undefined;
beforeEach(() => {
  setActivePinia(createPinia());
  const fake = fakeAgent();
  fake.session = { ...operatorSession, authMode: 'oidc' };
  useConnector(fake.connector, { batchMs: 0 });
  desktop.calls.length = 0;
});
afterEach(() => {
  unmount?.();
  document.body.innerHTML = '';
});

const buttons = () =>
  [...document.body.querySelectorAll('button')].map((button) => button.textContent?.trim());
const button = (text: string) =>
  [...document.body.querySelectorAll('button')].find((candidate) => candidate.textContent?.trim() === text)!;

describe('the agents view', () => {
  it('offers to cancel a browser sign-in while it waits, and shows no error when cancelled', async () => {
    useAgentsStore().connect({ id: 'a1', name: 'sso', url: 'http://agent' });
    const wrapper = mount(AgentsView, { attachTo: document.body });
    unmount = () => wrapper.unmount();
    await flushPromises();
    expect(buttons()).toContain('Sign in (browser)');

    button('Sign in (browser)').click();
    await flushPromises();
    expect(buttons()).toContain('Cancel sign-in');
    expect(buttons()).not.toContain('Sign in (browser)');
    expect(document.body.textContent).toContain('waiting for the browser…');

    button('Cancel sign-in').click();
    await flushPromises();
    expect(desktop.calls).toEqual(['sign in a1', 'cancel a1']);
    expect(buttons()).toContain('Sign in (browser)');
    expect(document.body.textContent).not.toContain('waiting for the browser');
    expect(document.body.querySelector('[role="alert"]')).toBeNull();
    expect(document.body.textContent).not.toContain('cancelled');
  });

  it('shows no error when a waiting sign-in ends because its agent was removed', async () => {
    useAgentsStore().connect({ id: 'a1', name: 'sso', url: 'http://agent' });
    const wrapper = mount(AgentsView, { attachTo: document.body });
    unmount = () => wrapper.unmount();
    await flushPromises();
    button('Sign in (browser)').click();
    await flushPromises();

    button('Remove').click();
    await flushPromises();
    button('Remove sso and its token').click();
    await flushPromises();
    expect(desktop.calls).toEqual(['sign in a1', 'remove a1']);
    expect(document.body.querySelector('[role="alert"]')).toBeNull();
    expect(buttons()).not.toContain('Cancel sign-in');
  });
  it('says why an agent could not be removed, and keeps showing it', async () => {
    useAgentsStore().connect({ id: 'a1', name: 'sso', url: 'http://agent' });
    const wrapper = mount(AgentsView, { attachTo: document.body });
    unmount = () => wrapper.unmount();
    await flushPromises();
    const remove = desktop.bridge.agents.remove;
    desktop.bridge.agents.remove = async () => {
      throw new Error('the OS keychain (Secret Service) could not delete a token: locked');
    };
    try {
      button('Remove').click();
      await flushPromises();
      button('Remove sso and its token').click();
      await flushPromises();
    } finally {
      desktop.bridge.agents.remove = remove;
    }
    expect(document.body.querySelector('[role="alert"]')?.textContent).toContain(
      'could not delete a token: locked',
    );
    expect(useAgentsStore().agents.a1).toBeDefined();
  });

  it('says why a waiting sign-in could not be cancelled (no unhandled rejection)', async () => {
    useAgentsStore().connect({ id: 'a1', name: 'sso', url: 'http://agent' });
    const wrapper = mount(AgentsView, { attachTo: document.body });
    unmount = () => wrapper.unmount();
    await flushPromises();
    button('Sign in (browser)').click();
    await flushPromises();
    const cancel = desktop.bridge.agents.cancelOidcSignIn;
    desktop.bridge.agents.cancelOidcSignIn = async () => {
      throw new Error('the main process is not answering');
    };
    try {
      button('Cancel sign-in').click();
      await flushPromises();
    } finally {
      desktop.bridge.agents.cancelOidcSignIn = cancel;
    }
    expect(document.body.querySelector('[data-testid="cancel-sign-in-error"]')?.textContent).toContain(
      'could not be cancelled: the main process is not answering',
    );
    await desktop.bridge.agents.cancelOidcSignIn('a1');
    await flushPromises();
  });

  it('removes an agent (and its token) only when asked twice', async () => {
    useAgentsStore().connect({ id: 'a1', name: 'prod', url: 'http://agent' });
    const wrapper = mount(AgentsView, { attachTo: document.body });
    unmount = () => wrapper.unmount();
    await flushPromises();
    button('Remove').click();
    await flushPromises();
    expect(buttons()).toEqual(expect.arrayContaining(['Remove prod and its token', 'Keep']));
    button('Keep').click();
    await flushPromises();
    expect(buttons()).toContain('Remove');
    expect(desktop.calls).toEqual([]);
    expect(useAgentsStore().agents.a1).toBeDefined();
  });
});
