import { restoreInput, restorePlanInput } from '@port-yard/shared';
import { operatorProcedure } from '../trpc.ts';

/**
 * Restores, as part of the artifacts router (operator): `restorePlan` shows what a restore would
 * overwrite; `restore` checks the typed confirmation and starts the restore as a run whose
 * progress and outcome arrive through `runs.events`, and which `runs.cancel` stops.
 */
export const restoreProcedures = {
  restorePlan: operatorProcedure
    .input(restorePlanInput)
    .query(({ ctx, input }) => ctx.services.daemon.agent().planRestore(input.id, input.toDatabase)),

  restore: operatorProcedure.input(restoreInput).mutation(async ({ ctx, input }) => {
    const audit = {
      action: 'artifact.restore',
      actor: ctx.identity.name,
      via: ctx.identity.via,
      address: ctx.address,
      artifactId: input.id,
    };
    const details = {
      toDatabase: input.toDatabase,
      safetyBackup: input.safetyBackup,
      openConnections: input.openConnections,
    };
    try {
      const run = await ctx.services.daemon.restores.start(
        {
          artifactId: input.id,
          toDatabase: input.toDatabase,
          confirm: input.confirm,
          safetyBackup: input.safetyBackup,
          openConnections: input.openConnections,
        },
        {
          requestedBy: ctx.identity.name,
          onFinished: (finished) =>
            ctx.services.audit.record({
              ...audit,
              action: 'artifact.restore.finished',
              target: finished.target,
              outcome: finished.status === 'succeeded' ? 'ok' : 'failed',
              details: {
                runId: finished.id,
                status: finished.status,
                database: finished.restore?.database,
                safetyArtifactId: finished.restore?.safetyArtifactId,
                message: finished.message,
              },
            }),
        },
      );
      ctx.services.audit.record({
        ...audit,
        target: run.target,
        outcome: 'ok',
        details: { ...details, runId: run.id, database: run.restore?.database, mode: run.restore?.mode },
      });
      return run;
    } catch (error) {
      ctx.services.audit.record({
        ...audit,
        outcome: 'failed',
        details: { ...details, error: (error as Error).message },
      });
      throw error;
    }
  }),
};
