import type { Permissions } from '@port-yard/shared';
import { hasRole, type Identity } from '../../auth/identity.ts';
import { redactConfig } from '../../config/redact-config.ts';
import { operatorProcedure, publicProcedure, router, viewerProcedure } from '../trpc.ts';

/** What each role may do: the console hides what the caller cannot use; the server checks anyway. */
export function permissionsOf(identity: Identity | undefined): Permissions {
  const view = hasRole(identity, 'viewer');
  const operate = hasRole(identity, 'operator');
  return {
    view,
    download: view,
    runBackup: operate,
    cancelRun: operate,
    deleteArtifact: operate,
    pin: operate,
    applyRetention: operate,
    restore: operate,
    verify: operate,
    sandbox: operate,
    reloadConfig: operate,
    readAudit: operate,
  };
}

export const agentRouter = router({
  /**
   * Who am I, and how does this agent authenticate? Public: the login screen needs it.
   * `desktopSignIn.loopback`: the desktop app may sign in through the system browser (OIDC with
   * a loopback redirect, POST /api/auth/oidc/token).
   */
  session: publicProcedure.query(({ ctx }) => {
    const agent = ctx.services.daemon.agent();
    return {
      authMode: agent.config.auth.mode,
      desktopSignIn: { loopback: agent.config.auth.mode === 'oidc' },
      identity: ctx.identity
        ? { name: ctx.identity.name, role: ctx.identity.role, kind: ctx.identity.kind }
        : null,
      permissions: permissionsOf(ctx.identity),
    };
  }),

  info: viewerProcedure.query(({ ctx }) => {
    const agent = ctx.services.daemon.agent();
    const { startedAt } = ctx.services;
    return {
      version: agent.version,
      startedAt: startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - startedAt.getTime()) / 1000),
      config: redactConfig(agent.config),
    };
  }),

  reloadConfig: operatorProcedure.mutation(async ({ ctx }) => {
    const config = await ctx.services.reloadConfig();
    ctx.services.audit.record({
      action: 'config.reload',
      actor: ctx.identity.name,
      via: ctx.identity.via,
      address: ctx.address,
      outcome: 'ok',
    });
    return { targets: Object.keys(config.targets) };
  }),
});
