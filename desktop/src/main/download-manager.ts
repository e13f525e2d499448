import { randomUUID } from 'node:crypto';
import { PortYardError } from '@port-yard/shared';
import type { DownloadProgress } from '../renderer/shell.ts';
import { fetchManifest, type AgentTarget } from './agent-http.ts';
import type { AgentRegistry } from './agent-registry.ts';
import { downloadArtifact } from './download-artifact.ts';
import { downloadFileName } from './download-file-name.ts';

export interface DownloadInput {
  readonly agentId: string;
  readonly artifactId: string;
  readonly decompress: boolean;
}

export interface DownloadManagerDeps {
  readonly agents: Pick<AgentRegistry, 'get' | 'token'>;
  /** Asks where to save (the save dialog), suggesting a name; undefined when the user cancels. */
  chooseDestination(suggestedName: string): Promise<string | undefined>;
  /** Every state change of every download, and its progress at most every `progressIntervalMs`. */
  onProgress(progress: DownloadProgress): void;
  readonly fetch?: typeof fetch;
  readonly newId?: () => string;
  readonly progressIntervalMs?: number;
  readonly clock?: () => number;
}

export interface DownloadManager {
  /**
   * Reads the manifest (so a refused token fails here, before any dialog), asks where to save,
   * then downloads in the background. Null when the user cancelled the dialog.
   */
  start(input: DownloadInput): Promise<{ downloadId: string } | null>;
  /** Stops a running download and deletes its partial file; false when it is not running. */
  cancel(downloadId: string): boolean;
  /** Resolves once the download ended, however it ended (undefined when unknown). */
  finished(downloadId: string): Promise<void> | undefined;
}

/** The downloads of the desktop app: one AbortController and one destination per download. */
export function createDownloadManager(deps: DownloadManagerDeps): DownloadManager {
  const newId = deps.newId ?? randomUUID;
  const clock = deps.clock ?? Date.now;
  const interval = deps.progressIntervalMs ?? 100;
  const running = new Map<
    string,
    { controller: AbortController; destination: string; done: Promise<void> }
  >();

  const target = async (agentId: string): Promise<AgentTarget> => {
    const entry = await deps.agents.get(agentId);
    if (!entry) throw new PortYardError('NOT_FOUND', `no agent ${agentId}`);
    return { url: entry.url, token: await deps.agents.token(agentId), fetch: deps.fetch };
  };

  return {
    async start(input) {
      const agent = await target(input.agentId);
      const manifest = await fetchManifest(agent, input.artifactId);
      const destination = await deps.chooseDestination(downloadFileName(manifest, input.decompress));
      if (destination === undefined) return null;
      for (const download of running.values())
        if (download.destination === destination)
          throw new PortYardError('CONFLICT', `${destination} is being downloaded already`);

      const downloadId = newId();
      const controller = new AbortController();
      const emit = (progress: Omit<DownloadProgress, 'downloadId'>): void =>
        deps.onProgress({ downloadId, ...progress });
      let last = {
        receivedBytes: 0,
        totalBytes: input.decompress ? manifest.rawBytes : manifest.storedBytes,
      };
      emit({ state: 'running', ...last });
      let lastSent = clock();

      const done = downloadArtifact({
        agent,
        artifactId: input.artifactId,
        destination,
        decompress: input.decompress,
        manifest,
        signal: controller.signal,
        onProgress: (bytes) => {
          last = bytes;
          const now = clock();
          if (now - lastSent < interval && bytes.receivedBytes < bytes.totalBytes) return;
          lastSent = now;
          emit({ state: 'running', ...bytes });
        },
        onVerifying: () => emit({ state: 'verifying', ...last }),
      }).then(
        (result) =>
          emit({ state: 'done', receivedBytes: result.bytes, totalBytes: result.bytes, path: result.path }),
        (error: unknown) => {
          const cancelled = error instanceof PortYardError && error.code === 'CANCELLED';
          emit({ state: cancelled ? 'cancelled' : 'failed', ...last, error: (error as Error).message });
        },
      );
      running.set(downloadId, { controller, destination, done });
      void done.finally(() => running.delete(downloadId));
      return { downloadId };
    },
    cancel(downloadId) {
      const download = running.get(downloadId);
      download?.controller.abort();
      return download !== undefined;
    },
    finished: (downloadId) => running.get(downloadId)?.done,
  };
}
