import { defineStore } from 'pinia';
import { computed, reactive } from 'vue';
import { desktop, type DownloadProgress } from '../shell.ts';

/**
 * The desktop app's downloads, as the main process reports them (started, progress, verifying,
 * saved, failed, cancelled). The main process downloads in the background after the save dialog:
 * this is the only place the renderer learns whether the file was saved or why it was not.
 * Empty in the web console (the browser shows its own downloads).
 */
export const useDownloadsStore = defineStore('downloads', () => {
  const downloads = reactive<Record<string, DownloadProgress>>({});
  desktop?.downloads.onProgress((progress) => {
    downloads[progress.downloadId] = progress;
  });

  const list = computed(() => Object.values(downloads));
  const cancel = (downloadId: string): Promise<void> =>
    desktop?.downloads.cancel(downloadId) ?? Promise.resolve();
  /** Hides a download that ended (running ones stay until they end). */
  const dismiss = (downloadId: string): void => {
    const download = downloads[downloadId];
    if (download && download.state !== 'running' && download.state !== 'verifying')
      delete downloads[downloadId];
  };
  return { downloads, list, cancel, dismiss };
});
