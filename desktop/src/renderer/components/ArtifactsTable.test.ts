// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { NDialogProvider, NMessageProvider } from 'naive-ui';
import { describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import type { ArtifactSummary, VerificationResult } from '@port-yard/shared';
import { byTestId, withFakeAgent } from '../../../test/support/with-fake-agent.ts';
import { fakeArtifact, operatorSession } from '../../../test/support/fake-agent.ts';
import { useAgentsStore } from '../stores/agents.ts';
import ArtifactsTable from './ArtifactsTable.vue';

/** Verifying from the artifacts table: a failed verification must read as a failure, with its reasons. */
const page = withFakeAgent();
const $ = byTestId;
const id = '2026-11-26T03-28-22Z_iy5atpwg4r';

const artifact = (verificationFailed: boolean) => fakeArtifact({ verificationFailed });

const failed: VerificationResult = {
  formatVersion: 1,
  artifactId: id,
  verifiedAt: '2026-11-26T04:00:00Z',
  server: 'scratch',
  ok: false,
  durationMs: 1200,
  tables: [],
  problems: ['table public.extra_tbl was restored but is not in the manifest'],
};

async function show(row: ArtifactSummary): Promise<void> {
  useAgentsStore().connect({ id: 'a', name: 'prod', url: 'http://agent' });
  page.fake.open();
  const Host = defineComponent(
    () => () =>
      h(NMessageProvider, () =>
        h(NDialogProvider, () =>
          h(ArtifactsTable, {
            agentId: 'a',
            artifacts: [row],
            permissions: operatorSession.permissions,
            sandboxEnabled: false,
            verifyEnabled: true,
          }),
        ),
      ),
  );
  page.mountInPage(Host);
  await flushPromises();
}

describe('verifying from the artifacts table', () => {
  it('a failed verification opens an error that lists its problems, not a "done"', async () => {
    page.fake.verification = failed;
    await show(artifact(false));
    $(`verify-${id}`)!.click();
    await flushPromises();
    expect($('verification-problems')?.textContent).toContain('table public.extra_tbl was restored but');
    expect(document.body.textContent).not.toMatch(/Verified|Verification done/);
  });

  it('lists a reason given both as the error and as a problem once', async () => {
    const reason = 'the restore failed: ERROR 1064 at line 12';
    page.fake.verification = {
      ...failed,
      error: { code: 'RESTORE_FAILED', message: reason },
      problems: [reason],
    };
    await show(artifact(false));
    $(`verify-${id}`)!.click();
    await flushPromises();
    expect($('verification-problems')!.querySelectorAll('li')).toHaveLength(1);
  });

  it('a passed one says so', async () => {
    page.fake.verification = { ...failed, ok: true, problems: [], tables: [] };
    await show(artifact(false));
    $(`verify-${id}`)!.click();
    await flushPromises();
    expect(document.body.textContent).toContain('Verified: the restored copy matches');
    expect($('verification-problems')).toBeNull();
  });

  it('the "verification failed" tag opens the reasons, by click or keyboard', async () => {
    page.fake.verification = failed;
    await show(artifact(true));
    const tag = $(`verification-failed-${id}`)!;
    expect(tag.getAttribute('role')).toBe('button');
    tag.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    await flushPromises();
    expect($('verification-problems')?.textContent).toContain('restored on scratch');
  });

  it("names each row's buttons after the artifact", async () => {
    await show(artifact(false));
    expect($(`restore-${id}`)?.getAttribute('aria-label')).toMatch(/^Restore shop /);
  });
});
