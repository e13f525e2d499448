import { z } from 'zod';
import { resourceNamePattern } from '../config/names.ts';
import { durationSchema } from '../config/retention-schema.ts';
import { artifactIdSchema } from '../manifest/manifest-schema.ts';

/** Inputs of the agent's API procedures: validated on the agent, reused by the console's forms. */
export const targetNameSchema = z.string().regex(resourceNamePattern, 'is not a target name');

export const targetInput = z.strictObject({ target: targetNameSchema });

export const artifactInput = z.strictObject({ id: artifactIdSchema });

export const artifactListInput = z.strictObject({
  target: targetNameSchema.optional(),
  database: z.string().min(1).max(64).optional(),
  storage: z.string().regex(resourceNamePattern).optional(),
  limit: z.int().min(1).max(500).default(100),
  /** The last id of the previous page. */
  cursor: artifactIdSchema.optional(),
});

export const deleteArtifactInput = z.strictObject({
  id: artifactIdSchema,
  /** Only this storage's copy; every copy when omitted. */
  storage: z.string().regex(resourceNamePattern).optional(),
});

export const runListInput = z.strictObject({
  target: targetNameSchema.optional(),
  limit: z.int().min(1).max(1000).default(100),
});

export const runIdInput = z.strictObject({ runId: z.uuid() });

export const eventsInput = z.strictObject({
  /** The id of the last event the client saw (tracked ids), to resume after a reconnect. */
  lastEventId: z
    .string()
    .regex(/^\d{1,15}$/)
    .nullish(),
});

export const auditListInput = z.strictObject({
  limit: z.int().min(1).max(1000).default(100),
  beforeSeq: z.int().min(1).optional(),
});

/** A developer sandbox: its id is also its database and user name, `py_sbx_` and 10 hex digits. */
export const sandboxIdPattern = /^py_sbx_[0-9a-f]{10}$/;
export const sandboxIdSchema = z
  .string()
  .regex(sandboxIdPattern, 'is not a sandbox id (py_sbx_ and 10 hex digits)');

export const sandboxCreateInput = z.strictObject({
  artifactId: artifactIdSchema,
  /** How long it lives; the target's `sandbox.ttl` when omitted. */
  ttl: durationSchema.optional(),
});

export const sandboxExtendInput = z.strictObject({
  id: sandboxIdSchema,
  /** The sandbox then expires this long from now. */
  ttl: durationSchema,
});

export const sandboxIdInput = z.strictObject({ id: sandboxIdSchema });
