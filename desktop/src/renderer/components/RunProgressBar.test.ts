// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { afterEach, expect, it } from 'vitest';
import type { RunRecord } from '@port-yard/shared';
import RunProgressBar from './RunProgressBar.vue';

let unmount: (() => void) | undefined;
afterEach(() => unmount?.());

function show(run: RunRecord): HTMLElement {
  const wrapper = mount(RunProgressBar, { props: { run }, attachTo: document.body });
  unmount = () => wrapper.unmount();
  return wrapper.element as HTMLElement;
}

const restoring = {
  id: 'r1',
  kind: 'restore',
  target: 'shop',
  trigger: 'manual',
  status: 'running',
  queuedAt: '2026-11-26T04:00:00Z',
  startedAt: new Date(Date.now() - 90_000).toISOString(),
  restore: { artifactId: 'x', database: 'shop', mode: 'replace', warnings: [] },
} as const;

it('a phase whose progress cannot be measured shows as running, with its time, not as 0%', () => {
  const element = show({
    ...restoring,
    progress: {
      target: 'shop',
      database: 'shop',
      phase: 'restore',
      rawBytes: 0,
      storedBytes: 0,
      bytesPerSecond: 0,
      elapsedMs: 80_000,
    },
  } as RunRecord);
  expect(element.dataset.percent).toBe('');
  expect(element.textContent).toMatch(/running 1m 3\ds/);
  // Once: the label names the phase ("dump shop dump · running" said it twice).
  expect(element.textContent!.match(/restore/g)).toHaveLength(1);
  expect(element.textContent).not.toContain('0 B/s');
});

it('a measured phase shows its bytes, rate and percentage', () => {
  const element = show({
    ...restoring,
    progress: {
      target: 'shop',
      database: 'shop',
      phase: 'stage',
      rawBytes: 0,
      storedBytes: 4_500_000,
      totalStoredBytes: 9_000_000,
      bytesPerSecond: 1_000_000,
      elapsedMs: 4000,
      etaSeconds: 5,
    },
  } as RunRecord);
  expect(element.dataset.percent).toBe('50');
  expect(element.textContent).toContain('/s');
});
