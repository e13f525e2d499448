// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { ArtifactSummary } from '@port-yard/shared';
import { byTestId, withFakeAgent } from '../../../test/support/with-fake-agent.ts';
import TargetCharts from './TargetCharts.vue';

/** A line needs two points: with none or one backup the tab must not draw an empty or broken chart. */
const page = withFakeAgent();

const artifact = (startedAt: string, seconds: number, storedBytes: number) =>
  ({
    manifest: {
      artifactId: `${startedAt}_x`,
      startedAt,
      finishedAt: new Date(Date.parse(startedAt) + seconds * 1000).toISOString(),
      storedBytes,
    },
  }) as unknown as ArtifactSummary;

async function show(artifacts: ArtifactSummary[]): Promise<string> {
  page.mountInPage(TargetCharts, { props: { artifacts } });
  await flushPromises();
  return byTestId('target-charts')!.textContent ?? '';
}

describe('the size and duration charts', () => {
  it('say that there is nothing to chart yet, without empty charts', async () => {
    const text = await show([]);
    expect(byTestId('charts-empty')?.textContent).toContain('No backups yet');
    expect(document.body.querySelector('.uplot, [role="img"]')).toBeNull();
    expect(text).not.toMatch(/NaN|Infinity/);
  });

  it('show the numbers of a single backup instead of a one-point chart', async () => {
    const text = await show([artifact('2026-11-26T03:28:22Z', 42, 1_800_000)]);
    expect(byTestId('charts-single')?.textContent).toContain('1.8 MB stored, in 42s');
    expect(text).toContain('start with the second backup');
    expect(document.body.querySelector('.uplot, [role="img"]')).toBeNull();
    expect(text).not.toMatch(/NaN|Infinity/);
  });
});
