// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, expect, it } from 'vitest';
import type { RunRecord } from '@port-yard/shared';
import RunHistory from './RunHistory.vue';

let unmount: (() => void) | undefined;
afterEach(() => unmount?.());

const failed = {
  id: 'r1',
  target: 'shop',
  trigger: 'schedule',
  status: 'failed',
  queuedAt: '2026-11-26T04:00:00Z',
  message: 'shop failed',
  result: {
    failures: [{ database: 'shop', code: 'AUTH_FAILED', phase: 'dump', message: 'Access denied for user' }],
  },
} as unknown as RunRecord;

// naive-ui's expand arrow takes no focus: a run's error was out of a keyboard's reach.
it('opens a failed run by keyboard: its row is focusable, and Enter shows the failure', async () => {
  const wrapper = mount(RunHistory, { props: { runs: [failed] }, attachTo: document.body });
  unmount = () => wrapper.unmount();
  const row = document.querySelector<HTMLElement>('[data-testid="run-r1"]')!;
  expect(row.getAttribute('tabindex')).toBe('0');
  expect(document.body.textContent).not.toContain('Access denied for user');
  row.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
  await flushPromises();
  expect(row.getAttribute('aria-expanded')).toBe('true');
  expect(document.body.textContent).toContain('AUTH_FAILED (dump)');
  expect(document.body.textContent).toContain('Access denied for user');
});
