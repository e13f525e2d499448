// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DesktopBridge, DownloadProgress } from './shell.ts';

/** The desktop bridge as the preload exposes it, with a way to send download progress. */
function fakeBridge() {
  const listeners = new Set<(progress: DownloadProgress) => void>();
  const cancelled: string[] = [];
  const bridge = {
    agents: {
      list: async () => [],
      add: async () => {
        throw new Error('not used');
      },
      remove: async () => undefined,
      signInWithOidc: async () => undefined,
      cancelOidcSignIn: async () => undefined,
    },
    downloads: {
      start: async () => ({ downloadId: 'd1' }),
      cancel: async (downloadId: string) => void cancelled.push(downloadId),
      onProgress: (listener: (progress: DownloadProgress) => void) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
  } satisfies DesktopBridge;
  const emit = (progress: DownloadProgress): void => listeners.forEach((listener) => listener(progress));
  return { bridge, emit, cancelled };
}

const desktop = fakeBridge();
// `shell.ts` reads `window.portYard` once, when it is first imported: set it before the app loads.
window.portYard = desktop.bridge;
const { default: App } = await import('./App.vue');
const { createConsoleRouter } = await import('./router.ts');

let unmount: (() => void) | undefined;
beforeEach(() => setActivePinia(createPinia()));
afterEach(() => {
  unmount?.();
  document.body.innerHTML = '';
});

async function mountApp() {
  const router = createConsoleRouter();
  const wrapper = mount(App, { global: { plugins: [router] }, attachTo: document.body });
  unmount = () => wrapper.unmount();
  await router.isReady();
  await flushPromises();
}

const text = () => document.body.textContent ?? '';

describe('the desktop console shell', () => {
  it('shows a download running, then why it failed (the main process downloads in the background)', async () => {
    await mountApp();
    desktop.emit({ downloadId: 'd1', receivedBytes: 500_000, totalBytes: 1_000_000, state: 'running' });
    await flushPromises();
    expect(text()).toContain('500 KB of 1.0 MB');
    (document.body.querySelector('[data-testid="download-cancel"]') as HTMLElement).click();
    await flushPromises();
    expect(desktop.cancelled).toEqual(['d1']);

    desktop.emit({
      downloadId: 'd1',
      receivedBytes: 1_000_000,
      totalBytes: 1_000_000,
      state: 'failed',
      error: 'artifact x failed its check: received 1000000 bytes with sha256 ab',
    });
    await flushPromises();
    const failed = document.body.querySelector('[data-testid="download-failed"]');
    expect(failed?.getAttribute('role')).toBe('alert');
    expect(failed?.textContent).toContain('failed its check');
  });

  it('says why a download could not be cancelled (no unhandled rejection)', async () => {
    await mountApp();
    desktop.emit({ downloadId: 'd3', receivedBytes: 1, totalBytes: 10, state: 'running' });
    await flushPromises();
    const cancel = desktop.bridge.downloads.cancel;
    desktop.bridge.downloads.cancel = async () => {
      throw new Error('no download d3');
    };
    try {
      (document.body.querySelector('[data-testid="download-cancel"]') as HTMLElement).click();
      await flushPromises();
    } finally {
      desktop.bridge.downloads.cancel = cancel;
    }
    expect(text()).toContain('The download could not be cancelled: no download d3');
  });

  it('says where a finished download was saved', async () => {
    await mountApp();
    desktop.emit({
      downloadId: 'd2',
      receivedBytes: 10,
      totalBytes: 10,
      state: 'done',
      path: '/home/u/Downloads/shop_test_x.sql.zst',
    });
    await flushPromises();
    expect(document.body.querySelector('[data-testid="download-done"]')?.textContent).toContain(
      '/home/u/Downloads/shop_test_x.sql.zst',
    );
  });
});
