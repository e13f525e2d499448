// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { NMessageProvider } from 'naive-ui';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h } from 'vue';
import type { SandboxCredentials } from '@port-yard/shared';
import { byTestId, withFakeAgent } from '../../../test/support/with-fake-agent.ts';
import CredentialsDialog from './CredentialsDialog.vue';

/** The password is shown once: when the clipboard refuses, the user must know to copy it by hand. */
const page = withFakeAgent();
afterEach(() => vi.unstubAllGlobals());

const credentials = {
  host: 'db',
  port: 5432,
  database: 'py_sbx_0123456789',
  user: 'py_sbx_0123456789',
  password: 'shown-once',
  uri: 'postgresql://py_sbx_0123456789:shown-once@db:5432/py_sbx_0123456789',
} as unknown as SandboxCredentials;

async function copyPassword(clipboard: unknown): Promise<void> {
  vi.stubGlobal('navigator', { ...navigator, clipboard });
  page.mountInPage(
    defineComponent(() => () => h(NMessageProvider, () => h(CredentialsDialog, { credentials }))),
  );
  await flushPromises();
  byTestId('copy-Password')!.click();
  await flushPromises();
}

describe('the sandbox credentials dialog', () => {
  it('says when the clipboard refused the copy (no unhandled rejection)', async () => {
    await copyPassword({
      writeText: async () => {
        throw new DOMException('Write permission denied.', 'NotAllowedError');
      },
    });
    expect(document.body.textContent).toContain(
      'Could not copy the password (Write permission denied.): select it and copy it by hand.',
    );
  });

  it('says so when the page has no clipboard at all (plain HTTP)', async () => {
    await copyPassword(undefined);
    expect(document.body.textContent).toContain('Could not copy the password');
  });

  it('copies', async () => {
    const written: string[] = [];
    await copyPassword({ writeText: async (text: string) => void written.push(text) });
    expect(written).toEqual(['shown-once']);
    expect(document.body.textContent).toContain('Password copied');
  });
});
