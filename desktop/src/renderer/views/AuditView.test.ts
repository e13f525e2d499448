// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '@port-yard/shared';
import type { AgentConnector } from '../api/agent-client.ts';
import type { Session } from '../api/api-types.ts';
import { fakeAgent, operatorSession } from '../../../test/support/fake-agent.ts';
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

/** Fake agents: one answers the audit log, `broken` fails, `shared` has the caller as a viewer. */
function connector(): AgentConnector {
  return (agent, events) => {
    const fake = fakeAgent();
    if (agent.id === 'shared')
      fake.session = {
        ...operatorSession,
        identity: { name: 'vic', role: 'viewer', kind: 'user' },
        permissions: { ...operatorSession.permissions, readAudit: false },
      } as Session;
    const connection = fake.connector(agent, events);
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

  // An agent whose log the caller may not read was left out without a word: "no data".
  it('says whose log is for operators only', async () => {
    useAgentsStore().connect({ id: 'shared', name: 'shared', url: 'http://shared' });
    await flushPromises();
    const wrapper = mount(AuditView, { attachTo: document.body });
    unmount = () => wrapper.unmount();
    await flushPromises();
    expect(document.body.textContent).toContain('shared: its audit log is for operators (you are viewer)');
  });
});
