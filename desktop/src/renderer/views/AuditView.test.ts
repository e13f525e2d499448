// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '@port-yard/shared';
import type { AgentConnector } from '../api/agent-client.ts';
import { fakeAgent } from '../../../test/support/fake-agent.ts';
import { useAgentsStore, useConnector } from '../stores/agents.ts';
import AuditView from './AuditView.vue';

const entry = {
  seq: 1,
  time: '2026-11-26T10:00:00Z',
  actor: 'olga',
  via: 'basic',
  action: 'artifact.delete',
  outcome: 'ok',
  target: 'shop',
} as unknown as AuditEntry;

/** Two fake agents: one answers the audit log, the other fails. */
function connector(): AgentConnector {
  return (agent, events) => {
    const connection = fakeAgent().connector(agent, events);
    const audit = {
      list: {
        query: async () => {
          if (agent.id === 'broken') throw new Error('the audit log could not be read');
          return [entry];
        },
      },
    };
    return { ...connection, client: { ...(connection.client as object), audit } as never };
  };
}

let unmount: (() => void) | undefined;
beforeEach(() => {
  setActivePinia(createPinia());
  useConnector(connector(), { batchMs: 0 });
});
afterEach(() => {
  unmount?.();
  document.body.innerHTML = '';
});

describe('the audit view', () => {
  it('shows the entries of the agents that answered, and why another did not', async () => {
    const store = useAgentsStore();
    store.connect({ id: 'broken', name: 'staging', url: 'http://staging' });
    store.connect({ id: 'ok', name: 'prod', url: 'http://prod' });
    await flushPromises();
    const wrapper = mount(AuditView, { attachTo: document.body });
    unmount = () => wrapper.unmount();
    await flushPromises();
    const text = document.body.textContent ?? '';
    expect(text).toContain('artifact.delete');
    expect(text).toContain('staging: the audit log could not be read');
  });
});
