// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryHistory, createRouter } from 'vue-router';
import { byTestId, withFakeAgent } from '../../../test/support/with-fake-agent.ts';
import { useAgentsStore } from '../stores/agents.ts';
import LoginView from './LoginView.vue';

/** The sign-in form says why a sign-in failed, also when the agent cannot be reached at all. */
const page = withFakeAgent();
afterEach(() => vi.unstubAllGlobals());

async function signIn(): Promise<void> {
  useAgentsStore().connect({ id: 'local', name: 'agent', url: 'http://agent' });
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', name: 'overview', component: { render: () => null } },
      { path: '/login', name: 'login', component: LoginView },
    ],
  });
  await router.push('/login');
  page.mountInPage(LoginView, { global: { plugins: [router] } });
  await flushPromises();
  const fill = (testid: string, value: string): void => {
    const input = byTestId(testid)!.querySelector('input')!;
    input.value = value;
    input.dispatchEvent(new Event('input'));
  };
  fill('login-user', 'alice');
  fill('login-password', 'secret');
  byTestId('login-submit')!
    .closest('form')!
    .dispatchEvent(new Event('submit', { cancelable: true }));
  await flushPromises();
}

describe('the sign-in form', () => {
  it('says why the sign-in failed when the agent cannot be reached (no unhandled rejection)', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await signIn();
    expect(byTestId('login-error')?.textContent).toContain('sign-in failed: Failed to fetch');
    // The button is usable again.
    expect(byTestId('login-submit')!.classList.contains('n-button--loading')).toBe(false);
  });

  it('shows the message of a refused sign-in', async () => {
    vi.stubGlobal(
      'fetch',
      async () =>
        new Response(JSON.stringify({ error: { message: 'wrong user name or password' } }), {
          status: 401,
        }),
    );
    await signIn();
    expect(byTestId('login-error')?.textContent).toContain('wrong user name or password');
  });
});
