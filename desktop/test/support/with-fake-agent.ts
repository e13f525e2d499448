import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach } from 'vitest';
import type { Component } from 'vue';
import { useConnector } from '../../src/renderer/stores/agents.ts';
import { fakeAgent, type FakeAgent } from './fake-agent.ts';

/**
 * A component test's setup: before each test a fresh store whose agents are one fake agent
 * (live events applied at once), after it the mounted component removed and the page emptied.
 */
export function withFakeAgent(): {
  /** This test's fake agent. */
  readonly fake: FakeAgent;
  /** Starts over within a test: the component unmounted, a new store and fake agent. */
  fresh(): void;
  /** Mounts `component` into the page; it is unmounted after the test. */
  mountInPage(component: Component, options?: Parameters<typeof mount>[1]): void;
} {
  let fake: FakeAgent | undefined;
  let unmount: (() => void) | undefined;
  const fresh = (): void => {
    unmount?.();
    unmount = undefined;
    setActivePinia(createPinia());
    fake = fakeAgent();
    useConnector(fake.connector, { batchMs: 0 });
  };
  beforeEach(fresh);
  afterEach(() => {
    unmount?.();
    unmount = undefined;
    document.body.innerHTML = '';
  });
  return {
    get fake() {
      return fake!;
    },
    fresh,
    mountInPage(component, options) {
      const wrapper = mount(component, { ...options, attachTo: document.body });
      unmount = () => wrapper.unmount();
    },
  };
}

/** The page's button whose text holds `text` (a dialog's, which has no test id of ours). */
export const buttonWith = (text: string): HTMLButtonElement | undefined =>
  [...document.body.querySelectorAll('button')].find((button) => button.textContent?.includes(text));

/** The element with `data-testid`, or null. */
export const byTestId = (testid: string): HTMLElement | null =>
  document.body.querySelector(`[data-testid="${testid}"]`);
