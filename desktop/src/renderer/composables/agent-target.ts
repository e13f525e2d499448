import { computed, ref, watch, type Ref } from 'vue';
import type { ArtifactSummary, RunRecord } from '@port-yard/shared';
import type { RetentionPlan } from '../api/api-types.ts';
import { useAgentsStore } from '../stores/agents.ts';
import { mergeRuns } from './merge-runs.ts';

/** Whether the target's artifacts can be deployed as sandboxes (or verified), and if not, why. */
export interface TestServerSupport {
  readonly available: boolean;
  readonly reason?: string;
}

/**
 * What the agent's config (`agent.info`, secrets redacted) says about the target's sandboxes (or,
 * with `use: 'verify'`, its verification): it needs `sandbox.server` (`verify.server`) naming one
 * of `testServers`. Unknown (the config could not be read): offered, and the action says why if
 * it fails.
 */
export function testServerSupport(
  config: unknown,
  target: string,
  use: 'sandbox' | 'verify' = 'sandbox',
): TestServerSupport {
  const { targets, testServers } = (config ?? {}) as {
    targets?: Record<string, { sandbox?: { server?: string }; verify?: { server?: string } } | undefined>;
    testServers?: Record<string, unknown>;
  };
  if (!targets?.[target]) return { available: true };
  const server = targets[target][use]?.server;
  const purpose = use === 'sandbox' ? 'sandboxes' : 'verification';
  if (!server)
    return {
      available: false,
      reason: `${target} has no test server for ${purpose}: the agent's config sets none (targets.${target}.${use}.server).`,
    };
  if (!testServers?.[server])
    return {
      available: false,
      reason: `${target} uses ${server} for ${purpose}, which is not among the agent's testServers.`,
    };
  return { available: true };
}

/**
 * One target of one agent for the target screen: its status and runs from the live store, its
 * artifacts and retention preview fetched, and fetched again whenever one of its runs finishes.
 * `missing`: the agent's target list is known and has no target of that name (a stale link, a
 * target removed from the config).
 */
export function useAgentTarget(agentId: Ref<string>, target: Ref<string>) {
  const agents = useAgentsStore();
  const agent = computed(() => agents.agents[agentId.value]);
  const status = computed(() => agent.value?.targets.find((candidate) => candidate.name === target.value));
  // The store holds the newest runs of all targets, live; a busy agent's other targets push this
  // one's out of it. Its own history is fetched too, and the live runs laid over it.
  const liveRuns = computed(() => agents.runsOf(agentId.value, target.value));
  const history = ref<RunRecord[]>([]);
  const runs = computed(() => mergeRuns(history.value, liveRuns.value));
  const permissions = computed(() => agent.value?.session?.permissions);
  const missing = computed(() => !!agent.value?.targetsLoaded && !status.value);
  const sandbox = ref<TestServerSupport>({ available: true });
  const verify = ref<TestServerSupport>({ available: true });
  const artifacts = ref<ArtifactSummary[]>([]);
  const retention = ref<RetentionPlan | null>(null);
  const retentionError = ref<string | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);

  async function reload(): Promise<void> {
    if (!agent.value || agent.value.state === 'connecting' || missing.value) return;
    loading.value = true;
    try {
      const api = agents.client(agentId.value);
      const [all, plan, info, targetRuns] = await Promise.all([
        allArtifacts(api, target.value),
        api.retention.plan.query({ target: target.value }).catch((caught: unknown) => caught as Error),
        api.agent.info.query().catch(() => null),
        api.runs.list.query({ target: target.value, limit: 100 }).catch(() => null),
      ]);
      artifacts.value = all;
      retention.value = plan instanceof Error ? null : plan;
      retentionError.value = plan instanceof Error ? plan.message : null;
      if (targetRuns) history.value = targetRuns;
      sandbox.value = testServerSupport(info?.config, target.value);
      verify.value = testServerSupport(info?.config, target.value, 'verify');
      error.value = null;
    } catch (caught) {
      error.value = (caught as Error).message;
    } finally {
      loading.value = false;
    }
  }

  // Reload when a run of this target ends (a new artifact, retention deleted some, a restore).
  const finishedRuns = computed(
    () => liveRuns.value.filter((run) => run.status !== 'queued' && run.status !== 'running').length,
  );
  watch([agentId, target, () => agent.value?.state, finishedRuns, missing], () => void reload(), {
    immediate: true,
  });

  return {
    agent,
    status,
    missing,
    runs,
    permissions,
    artifacts,
    retention,
    retentionError,
    sandbox,
    verify,
    loading,
    error,
    reload,
  };
}

/** Every artifact of the target, newest first, page after page (the API gives at most 500 at once). */
async function allArtifacts(
  api: ReturnType<ReturnType<typeof useAgentsStore>['client']>,
  target: string,
): Promise<ArtifactSummary[]> {
  const items: ArtifactSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.artifacts.list.query({ target, limit: 500, cursor });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return items;
}
