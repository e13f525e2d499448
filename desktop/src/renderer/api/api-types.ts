import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../../../agent/src/api/app-router.ts';

/** What the agent's procedures return, inferred from its router: one source of truth. */
export type Outputs = inferRouterOutputs<AppRouter>;
export type Session = Outputs['agent']['session'];
export type ArtifactPage = Outputs['artifacts']['list'];
export type RetentionPlan = Outputs['retention']['plan'];
export type AuditPage = Outputs['audit']['list'];
export type SandboxListing = Outputs['sandboxes']['list'];
