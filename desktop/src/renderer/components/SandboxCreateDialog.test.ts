// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { NMessageProvider } from 'naive-ui';
import { describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import type { SandboxCredentials } from '@port-yard/shared';
import { byTestId, withFakeAgent } from '../../../test/support/with-fake-agent.ts';
import { useAgentsStore } from '../stores/agents.ts';
import SandboxCreateDialog from './SandboxCreateDialog.vue';

/**
 * A sandbox's password is shown once, when the deploy answers: the dialog cannot be closed while
 * it runs, else the sandbox is made and its credentials are lost.
 */
const page = withFakeAgent();
const $ = byTestId;

describe('the sandbox deploy dialog', () => {
  it('cannot be cancelled while the deploy runs, then shows the credentials', async () => {
    let answer: (credentials: SandboxCredentials) => void = () => undefined;
    page.fake.sandbox = new Promise((resolve) => (answer = resolve));
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
    page.mountInPage(Host);
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
