// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { NMessageProvider } from 'naive-ui';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import { byTestId, withFakeAgent } from '../../../test/support/with-fake-agent.ts';
import { useAgentsStore } from '../stores/agents.ts';
import SignOutButton from './SignOutButton.vue';

/** A sign-out that did not happen must say so: the session still stands. */
const page = withFakeAgent();
afterEach(() => vi.unstubAllGlobals());

async function clickSignOut(): Promise<void> {
  useAgentsStore().connect({ id: 'local', name: 'agent', url: 'http://agent' });
  page.mountInPage(defineComponent(() => () => h(NMessageProvider, () => h(SignOutButton))));
  await flushPromises();
  byTestId('sign-out')!.click();
  await flushPromises();
}

describe('the sign-out button', () => {
  it('says why the sign-out failed when the agent cannot be reached (no unhandled rejection)', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await clickSignOut();
    expect(document.body.textContent).toContain('Sign-out failed: Failed to fetch');
  });

  it('says so when the agent refuses it', async () => {
    vi.stubGlobal('fetch', async () => new Response('', { status: 500 }));
    await clickSignOut();
    expect(document.body.textContent).toContain('Sign-out failed: the agent answered 500');
  });

  it('fetches the session again once signed out', async () => {
    vi.stubGlobal('fetch', async () => new Response(null, { status: 204 }));
    await clickSignOut();
    const sessions = page.fake.calls.filter((call) => call.path === 'agent.session').length;
    expect(sessions).toBe(2);
    expect(document.body.textContent).not.toContain('failed');
  });
});
