// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { TargetStatus } from '@port-yard/shared';
import { byTestId, withFakeAgent } from '../../../test/support/with-fake-agent.ts';
import { useAgentsStore } from '../stores/agents.ts';
import OverviewView from './OverviewView.vue';

/**
 * A target's health is what its agent last said: while the agent cannot be reached, it says
 * `offline` and is not counted as backed up in time, whatever it was before.
 */
const page = withFakeAgent();
const $ = byTestId;

const healthy: TargetStatus = {
  name: 'shop',
  engine: 'postgres',
  timezone: 'UTC',
  lastSuccessAt: new Date().toISOString(),
  failuresSinceStartup: 0,
  stale: false,
};

describe('the overview', () => {
  it('shows the targets of an agent that went offline as offline, not ok', async () => {
    page.fake.targets = [healthy];
    useAgentsStore().connect({ id: 'a', name: 'prod', url: 'http://agent' });
    page.mountInPage(OverviewView, { global: { stubs: { RouterLink: { template: '<a><slot /></a>' } } } });
    page.fake.open();
    await flushPromises();
    expect($('health-shop')?.textContent?.trim()).toBe('ok');
    expect($('count-ok')?.textContent).toContain('1');

    page.fake.close();
    await flushPromises();
    expect($('health-shop')?.textContent?.trim()).toBe('offline');
    expect($('count-ok')?.textContent).toContain('0');
  });
});
