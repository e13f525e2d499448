import { defineStore } from 'pinia';
import { computed, markRaw, reactive } from 'vue';
import type { RunRecord, TargetStatus } from '@port-yard/shared';
import {
  connectAgent,
  type AgentClient,
  type AgentConnection,
  type AgentConnector,
  type AgentDescriptor,
} from '../api/agent-client.ts';
import type { Session } from '../api/api-types.ts';

export type ConnectionState = 'connecting' | 'online' | 'offline';

/** One agent as the console sees it, kept current by its WebSocket subscriptions. */
export interface AgentState {
  readonly descriptor: AgentDescriptor;
  state: ConnectionState;
  session: Session | null;
  targets: TargetStatus[];
  /** `targets` is the agent's list (fetched at least once): a name not in it is no target of this agent. */
  targetsLoaded: boolean;
  /** Runs seen since connecting (newest events win), by id. */
  runs: Record<string, RunRecord>;
  /** The last error talking to it, in one line. */
  error: string | null;
}

/** A target in the overview: which agent it belongs to, and its status. */
export interface TargetRow {
  readonly agentId: string;
  readonly agentName: string;
  readonly status: TargetStatus;
  /** False while the agent cannot be reached: `status` is what it said last. */
  readonly agentOnline: boolean;
}

let connector: AgentConnector = connectAgent;
let batchMs = 100;
/**
 * How often the lists are fetched again while connected. Events carry what runs change; a config
 * reload on the agent (a target added, removed or rescheduled) sends none.
 */
let refreshEveryMs = 60_000;

/** Store tests connect to fakes instead of agents. */
export function useConnector(
  next: AgentConnector,
  options: { batchMs?: number; refreshEveryMs?: number } = {},
): void {
  connector = next;
  batchMs = options.batchMs ?? 100;
  refreshEveryMs = options.refreshEveryMs ?? 60_000;
}

const finished = (run: RunRecord): boolean => run.status !== 'queued' && run.status !== 'running';

/**
 * The agents the console talks to (one in the web console: its own origin; many in the desktop
 * app) and, per agent, the session, the targets' status and the live runs. Updates arrive through
 * `targets.changes` and `runs.events`; after a reconnect, and every minute (a config reload sends
 * no event), the lists are fetched again, so nothing needs a manual refresh.
 */
export const useAgentsStore = defineStore('agents', () => {
  const agents = reactive<Record<string, AgentState>>({});
  const connections = new Map<
    string,
    AgentConnection & { unsubscribe: () => void; timer?: ReturnType<typeof setInterval> }
  >();
  /**
   * Per agent, the live events applied while a refresh's lists are on their way. The lists may
   * have been read before those events happened: they are applied again on top of the lists, so
   * a run that ended meanwhile is not shown running again (until an event that never comes).
   */
  const appliedDuringRefresh = new Map<string, Set<(() => void)[]>>();

  const client = (agentId: string): AgentClient => {
    const connection = connections.get(agentId);
    if (!connection) throw new Error(`not connected to agent ${agentId}`);
    return connection.client;
  };

  // Statuses and runs are replaced whole, never changed inside: no deep reactivity needed.
  const upsertTarget = (agent: AgentState, status: TargetStatus): void => {
    const index = agent.targets.findIndex((target) => target.name === status.name);
    if (index >= 0) agent.targets.splice(index, 1, markRaw(status));
    else agent.targets.push(markRaw(status));
  };

  const upsertRun = (agent: AgentState, run: RunRecord): void => {
    agent.runs[run.id] = markRaw(run);
    // Finished runs beyond the newest 200 are dropped: the history lives on the agent.
    const ended = Object.values(agent.runs).filter(finished);
    if (ended.length > 200) {
      ended.sort((a, b) => (a.finishedAt ?? '').localeCompare(b.finishedAt ?? ''));
      for (const old of ended.slice(0, ended.length - 200)) delete agent.runs[old.id];
    }
  };

  /** Session, targets and recent runs, fetched in full: at connect and after every reconnect. */
  async function refresh(agentId: string): Promise<void> {
    const agent = agents[agentId];
    if (!agent) return;
    const applied: (() => void)[] = [];
    const recorders = appliedDuringRefresh.get(agentId) ?? new Set();
    appliedDuringRefresh.set(agentId, recorders.add(applied));
    try {
      // Inside the try: called without `await` (at connect), a throw here must not go unhandled.
      const api = client(agentId);
      // All three at once: the lists fail with FORBIDDEN for a caller without the viewer role.
      const [session, lists] = await Promise.all([
        api.agent.session.query(),
        Promise.all([api.targets.list.query(), api.runs.list.query({ limit: 100 })]).catch(
          (error: unknown) => error as Error,
        ),
      ]);
      agent.session = session;
      if (!session.permissions.view || lists instanceof Error) {
        agent.targets = [];
        agent.targetsLoaded = false;
        agent.runs = {};
        if (session.permissions.view && lists instanceof Error) agent.error = lists.message;
        return;
      }
      performance.mark('port-yard:targets-fetched');
      const [targets, runs] = lists;
      agent.targets = targets.map((status) => markRaw(status));
      agent.targetsLoaded = true;
      agent.runs = {};
      for (const run of [...runs].reverse()) upsertRun(agent, run);
      for (const change of applied) change();
      agent.error = null;
    } catch (error) {
      agent.error = (error as Error).message;
    } finally {
      recorders.delete(applied);
    }
  }

  function connect(descriptor: AgentDescriptor): void {
    disconnect(descriptor.id);
    agents[descriptor.id] = {
      descriptor,
      state: 'connecting',
      session: null,
      targets: [],
      targetsLoaded: false,
      runs: {},
      error: null,
    };
    const agent = agents[descriptor.id]!;
    let subscriptions: { unsubscribe(): void }[] = [];
    let opened = false;
    const connection = connector(descriptor, {
      onOpen: () => {
        agent.state = 'online';
        // The first open follows the fetch below; a reopen means events may have been missed.
        if (opened) void refresh(descriptor.id);
        opened = true;
      },
      onClose: () => {
        agent.state = 'offline';
      },
    });
    connections.set(descriptor.id, {
      ...connection,
      client: markRaw(connection.client),
      unsubscribe: () => subscriptions.forEach((subscription) => subscription.unsubscribe()),
      timer: setInterval(() => {
        if (agent.state === 'online') void refresh(descriptor.id);
      }, refreshEveryMs),
    });
    const onError = (error: unknown): void => {
      agent.error = (error as Error).message;
    };
    // A busy agent sends many events a second: they are applied in batches, one render each.
    const pending: (() => void)[] = [];
    let flush: ReturnType<typeof setTimeout> | undefined;
    const later = (apply: () => void): void => {
      pending.push(apply);
      flush ??= setTimeout(() => {
        flush = undefined;
        for (const change of pending.splice(0)) {
          change();
          for (const recorder of appliedDuringRefresh.get(descriptor.id) ?? []) recorder.push(change);
        }
      }, batchMs);
    };
    subscriptions = [
      connection.client.targets.changes.subscribe(
        {},
        { onData: (event) => later(() => upsertTarget(agent, event.data)), onError },
      ),
      connection.client.runs.events.subscribe(
        {},
        { onData: (event) => later(() => upsertRun(agent, event.data)), onError },
      ),
    ];
    void refresh(descriptor.id);
  }

  function disconnect(agentId: string): void {
    const connection = connections.get(agentId);
    clearInterval(connection?.timer);
    connection?.unsubscribe();
    connection?.close();
    connections.delete(agentId);
    appliedDuringRefresh.delete(agentId);
    delete agents[agentId];
  }

  const list = computed(() => Object.values(agents));

  const targetRows = computed<TargetRow[]>(() =>
    list.value.flatMap((agent) =>
      agent.targets.map((status) => ({
        agentId: agent.descriptor.id,
        agentName: agent.descriptor.name,
        status,
        agentOnline: agent.state !== 'offline',
      })),
    ),
  );

  /** Runs queued or running, over all agents, oldest first. */
  const activeRuns = computed(() =>
    list.value
      .flatMap((agent) =>
        Object.values(agent.runs)
          .filter((run) => !finished(run))
          .map((run) => ({ agentId: agent.descriptor.id, run })),
      )
      .sort((a, b) => a.run.queuedAt.localeCompare(b.run.queuedAt)),
  );

  const runsOf = (agentId: string, target?: string): RunRecord[] =>
    Object.values(agents[agentId]?.runs ?? {})
      .filter((run) => target === undefined || run.target === target)
      .sort((a, b) => b.queuedAt.localeCompare(a.queuedAt));

  return { agents, list, targetRows, activeRuns, client, connect, disconnect, refresh, runsOf };
});
