import type { Daemon } from '../daemon/daemon.ts';
import type { Agent } from '../main.ts';
import { probeStorage } from './health-storage-probe.ts';

export interface StorageReadiness {
  readonly storage: string;
  readonly ok: boolean;
  /** Why it failed: the storage's own message (it names the place, never a credential). */
  readonly error?: string;
}

export interface Readiness {
  readonly ready: boolean;
  readonly checkedAt: string;
  readonly storages: readonly StorageReadiness[];
}

export interface ReadinessOptions {
  readonly daemon: Pick<Daemon, 'agent'>;
  /** How long one storage may take to answer. */
  readonly timeoutMs?: number;
  /** How long an answer is reused: probes hit real backends, and Kubernetes asks every few seconds. */
  readonly cacheMs?: number;
  readonly clock?: () => number;
}

/**
 * Ready = the config is loaded (the daemon holds an agent built from it) and every storage
 * answered a probe within the timeout. Concurrent callers share one check; a config reload
 * (a new agent) starts a fresh one.
 */
export function createReadiness(options: ReadinessOptions): { check(): Promise<Readiness> } {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const cacheMs = options.cacheMs ?? 10_000;
  const clock = options.clock ?? Date.now;
  let cached: { agent: Agent; at: number; result: Promise<Readiness> } | undefined;

  const probeAll = async (agent: Agent): Promise<Readiness> => {
    const storages = await Promise.all(
      [...agent.storages.values()].map(async (storage): Promise<StorageReadiness> => {
        try {
          await withTimeout(probeStorage(storage, agent.config.storages[storage.name]), timeoutMs);
          return { storage: storage.name, ok: true };
        } catch (error) {
          return { storage: storage.name, ok: false, error: (error as Error).message };
        }
      }),
    );
    return {
      ready: storages.every((storage) => storage.ok),
      checkedAt: new Date(clock()).toISOString(),
      storages,
    };
  };

  return {
    check() {
      const agent = options.daemon.agent();
      const now = clock();
      if (!cached || cached.agent !== agent || now - cached.at >= cacheMs)
        cached = { agent, at: now, result: probeAll(agent) };
      return cached.result;
    },
  };
}

async function withTimeout(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
