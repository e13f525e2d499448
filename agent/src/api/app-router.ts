import { router } from './trpc.ts';
import { agentRouter } from './routers/agent-router.ts';
import { artifactsRouter } from './routers/artifacts-router.ts';
import { auditRouter } from './routers/audit-router.ts';
import { notificationsRouter } from './routers/notifications-router.ts';
import { retentionRouter } from './routers/retention-router.ts';
import { runsRouter } from './routers/runs-router.ts';
import { sandboxesRouter } from './routers/sandboxes-router.ts';
import { targetsRouter } from './routers/targets-router.ts';

/**
 * The agent's API, one router per domain. Roles: viewers see and download; operators also run,
 * cancel, delete, pin, apply retention, reload, read the audit log, restore, verify, deploy
 * sandboxes and send test notifications. The console imports only this type.
 */
export const appRouter = router({
  agent: agentRouter,
  targets: targetsRouter,
  artifacts: artifactsRouter,
  runs: runsRouter,
  retention: retentionRouter,
  audit: auditRouter,
  sandboxes: sandboxesRouter,
  notifications: notificationsRouter,
});

export type AppRouter = typeof appRouter;
