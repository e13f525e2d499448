// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { operatorSession } from '../../../test/support/fake-agent.ts';
import { withFakeAgent } from '../../../test/support/with-fake-agent.ts';
import { useAgentsStore } from '../stores/agents.ts';
import ConnectionBanner from './ConnectionBanner.vue';

const page = withFakeAgent();

async function show() {
  useAgentsStore().connect({ id: 'a', name: 'prod', url: 'http://agent' });
  page.mountInPage(ConnectionBanner);
  await flushPromises();
}
const text = () => document.body.textContent ?? '';

describe('the connection banner', () => {
  it('says why an agent shows nothing when it refuses the token', async () => {
    page.fake.session = new Error('the API token is not valid') as never;
    await show();
    expect(text()).toContain('prod');
    expect(text()).toContain('the API token is not valid');
  });

  it('says why the targets could not be read', async () => {
    page.fake.targets = new Error('storage local is unreachable') as never;
    await show();
    expect(text()).toContain('storage local is unreachable');
  });

  it('says a request without an answer in words, not the browser\'s "Failed to fetch" alone', async () => {
    page.fake.session = new TypeError('Failed to fetch') as never;
    await show();
    expect(text()).toContain('prod: cannot reach the agent (Failed to fetch): it or the network is down');
  });

  it('stays quiet for a signed-out visitor (the login screen says it) and a healthy agent', async () => {
    page.fake.session = {
      ...operatorSession,
      identity: null,
      permissions: { ...operatorSession.permissions, view: false },
    };
    await show();
    expect(text()).toBe('');
    page.fresh();
    await show();
    expect(text()).toBe('');
  });
});
