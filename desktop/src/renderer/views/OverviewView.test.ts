// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TargetStatus } from '@port-yard/shared';
import { fakeAgent, type FakeAgent } from '../../../test/support/fake-agent.ts';
import { useAgentsStore, useConnector } from '../stores/agents.ts';
import OverviewView from './OverviewView.vue';

/**
 * A target's health is what its agent last said: while the agent cannot be reached, it says
 * `offline` and is not counted as backed up in time, whatever it was before.
 */
let fake: FakeAgent;
let unmount: (() => void) | undefined;
const $ = (testid: string) => document.body.querySelector(`[data-testid="${testid}"]`) as HTMLElement | null;

const healthy: TargetStatus = {
  name: 'shop',
  engine: 'postgres',
  timezone: 'UTC',
  lastSuccessAt: new Date().toISOString(),
  failuresSinceStartup: 0,
  stale: false,
};

beforeEach(() => {
  setActivePinia(createPinia());
  fake = fakeAgent();
  useConnector(fake.connector, { batchMs: 0 });
});
afterEach(() => {
  unmount?.();
  document.body.innerHTML = '';
});

describe('the overview', () => {
  it('shows the targets of an agent that went offline as offline, not ok', async () => {
    fake.targets = [healthy];
    useAgentsStore().connect({ id: 'a', name: 'prod', url: 'http://agent' });
    const wrapper = mount(OverviewView, {
      attachTo: document.body,
      global: { stubs: { RouterLink: { template: '<a><slot /></a>' } } },
    });
    unmount = () => wrapper.unmount();
    fake.open();
    await flushPromises();
    expect($('health-shop')?.textContent?.trim()).toBe('ok');
    expect($('count-ok')?.textContent).toContain('1');

    fake.close();
    await flushPromises();
    expect($('health-shop')?.textContent?.trim()).toBe('offline');
    expect($('count-ok')?.textContent).toContain('0');
  });
});
