import type {
  ArtifactSummary,
  RestorePlan,
  RunRecord,
  SandboxCredentials,
  SandboxSummary,
  TargetStatus,
  VerificationResult,
} from '@port-yard/shared';
import type { AgentConnector, ConnectionEvents } from '../../src/renderer/api/agent-client.ts';
import type { RetentionPlan, Session } from '../../src/renderer/api/api-types.ts';

/**
 * A stand-in for one agent in store and component tests: answers the queries the console makes
 * and lets the test push subscription events and connection changes.
 */
export interface FakeAgent {
  readonly connector: AgentConnector;
  session: Session;
  targets: TargetStatus[];
  runs: RunRecord[];
  plan: RestorePlan | Error;
  /** What `sandboxes.create` answers: a pending promise keeps the deploy running. */
  sandbox?: Promise<SandboxCredentials>;
  /** What `sandboxes.list` answers. */
  sandboxes: SandboxSummary[];
  /** The artifacts `artifacts.list` answers (any target), a page at a time by its limit and cursor. */
  artifacts: ArtifactSummary[];
  /** What `retention.plan` answers (default: no policy). */
  retentionPlan?: RetentionPlan | Error;
  /** What `agent.info` answers: the (redacted) config the console reads the targets' test servers from. */
  info: { config: { targets: Record<string, object>; testServers: Record<string, object> } } | Error;
  /** What `runs.start` answers (default: the first of `runs`); a pending promise keeps it waiting. */
  startRun?: Promise<RunRecord>;
  /** What `runs.cancel` answers. */
  cancel: { cancelled: boolean } | Error;
  /** What `artifacts.verify` and `artifacts.verification` answer. */
  verification: VerificationResult | null;
  readonly calls: { path: string; input: unknown }[];
  pushTarget(status: TargetStatus): void;
  pushRun(run: RunRecord): void;
  open(): void;
  close(): void;
  readonly closed: boolean;
  readonly unsubscribed: number;
}

export const operatorSession: Session = {
  authMode: 'basic',
  identity: { name: 'olga', role: 'operator', kind: 'user' },
  permissions: {
    view: true,
    download: true,
    runBackup: true,
    cancelRun: true,
    deleteArtifact: true,
    pin: true,
    applyRetention: true,
    restore: true,
    verify: true,
    sandbox: true,
    reloadConfig: true,
    readAudit: true,
  },
} as Session;

export function fakeAgent(): FakeAgent {
  const listeners: { targets?: (status: TargetStatus) => void; runs?: (run: RunRecord) => void } = {};
  let events: ConnectionEvents | undefined;
  const state = { closed: false, unsubscribed: 0 };
  const fake: FakeAgent = {
    session: operatorSession,
    targets: [],
    runs: [],
    plan: new Error('no plan'),
    artifacts: [],
    sandboxes: [],
    info: { config: { targets: {}, testServers: {} } },
    cancel: { cancelled: true },
    verification: null,
    calls: [],
    pushTarget: (status) => listeners.targets?.(status),
    pushRun: (run) => listeners.runs?.(run),
    open: () => events?.onOpen(),
    close: () => events?.onClose(),
    get closed() {
      return state.closed;
    },
    get unsubscribed() {
      return state.unsubscribed;
    },
    connector: (_agent, connectionEvents) => {
      events = connectionEvents;
      const call = (path: string, answer: (input: unknown) => unknown) => async (input?: unknown) => {
        fake.calls.push({ path, input });
        const result = answer(input);
        if (result instanceof Error) throw result;
        return result;
      };
      const subscription =
        (key: 'targets' | 'runs') =>
        (_input: unknown, handlers: { onData(event: { id: string; data: never }): void }) => {
          listeners[key] = (data: unknown) => handlers.onData({ id: '1', data: data as never });
          return { unsubscribe: () => (state.unsubscribed += 1) };
        };
      const client = {
        agent: {
          session: { query: call('agent.session', () => fake.session) },
          info: { query: call('agent.info', () => fake.info) },
        },
        retention: { plan: { query: call('retention.plan', () => fake.retentionPlan ?? []) } },
        targets: {
          list: { query: call('targets.list', () => fake.targets) },
          changes: { subscribe: subscription('targets') },
        },
        runs: {
          list: {
            query: call('runs.list', (input) => {
              const { target, limit = 100 } = (input ?? {}) as { target?: string; limit?: number };
              return fake.runs.filter((run) => target === undefined || run.target === target).slice(0, limit);
            }),
          },
          events: { subscribe: subscription('runs') },
          cancel: { mutate: call('runs.cancel', () => fake.cancel) },
          start: { mutate: call('runs.start', () => fake.startRun ?? fake.runs[0]) },
        },
        sandboxes: {
          create: { mutate: call('sandboxes.create', () => fake.sandbox ?? new Error('no sandbox')) },
          list: { query: call('sandboxes.list', () => ({ items: fake.sandboxes, problems: [] })) },
          extend: { mutate: call('sandboxes.extend', () => ({ expiresAt: new Date().toISOString() })) },
        },
        artifacts: {
          list: { query: call('artifacts.list', (input) => artifactPage(fake.artifacts, input)) },
          restorePlan: { query: call('artifacts.restorePlan', () => fake.plan) },
          verify: {
            mutate: call('artifacts.verify', () => fake.verification ?? new Error('no verification')),
          },
          verification: { query: call('artifacts.verification', () => fake.verification) },
          restore: {
            mutate: call('artifacts.restore', (input) => ({
              id: 'run-restore-1',
              kind: 'restore',
              target: 'shop',
              trigger: 'manual',
              status: 'running',
              queuedAt: new Date().toISOString(),
              restore: {
                artifactId: (input as { id: string }).id,
                database: 'shop',
                mode: 'replace',
                warnings: [],
              },
            })),
          },
        },
      };
      return { client: client as never, close: () => (state.closed = true) };
    },
  };
  return fake;
}

/** An artifact as `artifacts.list` answers it: a MariaDB backup of `shop` in storage `local`. */
export function fakeArtifact(overrides: Partial<ArtifactSummary> = {}): ArtifactSummary {
  return {
    manifest: {
      artifactId: '2026-11-26T03-28-22Z_iy5atpwg4r',
      target: 'shop',
      database: 'shop',
      engine: 'mariadb',
      startedAt: '2026-11-26T03:28:22Z',
      finishedAt: '2026-11-26T03:28:30Z',
      storedBytes: 9_000_000,
      rawBytes: 40_000_000,
      compression: { algorithm: 'zstd', level: 3 },
      labels: {},
    },
    storages: ['local'],
    pinned: false,
    verified: false,
    verificationFailed: false,
    ...overrides,
  } as unknown as ArtifactSummary;
}

/** A page of `artifacts.list`, as the agent answers it: `limit` items after `cursor`. */
function artifactPage(artifacts: readonly ArtifactSummary[], input: unknown) {
  const { limit = 100, cursor } = (input ?? {}) as { limit?: number; cursor?: string };
  const start = cursor === undefined ? 0 : artifacts.findIndex((a) => a.manifest.artifactId === cursor) + 1;
  const items = artifacts.slice(start, start + limit);
  const nextCursor = start + limit < artifacts.length ? items.at(-1)?.manifest.artifactId : undefined;
  return { items, nextCursor, total: artifacts.length };
}
