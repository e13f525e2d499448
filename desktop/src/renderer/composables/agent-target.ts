import { computed, ref, watch, type Ref } from 'vue';
import type { ArtifactSummary } from '@port-yard/shared';
import type { RetentionPlan } from '../api/api-types.ts';
import { useAgentsStore } from '../stores/agents.ts';

/**
 * One target of one agent for the target screen: its status and runs from the live store, its
 * artifacts and retention preview fetched, and fetched again whenever one of its runs finishes.
 */
export function useAgentTarget(agentId: Ref<string>, target: Ref<string>) {
  const agents = useAgentsStore();
  const agent = computed(() => agents.agents[agentId.value]);
  const status = computed(() => agent.value?.targets.find((candidate) => candidate.name === target.value));
  const runs = computed(() => agents.runsOf(agentId.value, target.value));
  const permissions = computed(() => agent.value?.session?.permissions);
  const artifacts = ref<ArtifactSummary[]>([]);
  const retention = ref<RetentionPlan | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);

  async function reload(): Promise<void> {
    if (!agent.value || agent.value.state === 'connecting') return;
    loading.value = true;
    try {
      const api = agents.client(agentId.value);
      const [page, plan] = await Promise.all([
        api.artifacts.list.query({ target: target.value, limit: 500 }),
        api.retention.plan.query({ target: target.value }).catch(() => null),
      ]);
      artifacts.value = page.items;
      retention.value = plan;
      error.value = null;
    } catch (caught) {
      error.value = (caught as Error).message;
    } finally {
      loading.value = false;
    }
  }

  // Reload when a run of this target ends (a new artifact, retention deleted some, a restore).
  const finishedRuns = computed(
    () => runs.value.filter((run) => run.status !== 'queued' && run.status !== 'running').length,
  );
  watch([agentId, target, () => agent.value?.state, finishedRuns], () => void reload(), { immediate: true });

  return { agent, status, runs, permissions, artifacts, retention, loading, error, reload };
}
