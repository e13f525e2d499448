import { z } from 'zod';
import { artifactIdSchema } from './manifest-schema.ts';

/**
 * The result of a restore verification, stored as the sidecar object `<artifactId>.verification.json`
 * next to every copy of the artifact (manifests are never rewritten; a later verification replaces
 * it). A public, versioned format: readers must ignore fields they do not know.
 */
export const verificationFormatVersion = 1;

export const verifiedTableSchema = z.looseObject({
  /** PostgreSQL only. */
  schema: z.string().optional(),
  name: z.string(),
  /** Rows in the manifest; null for a table the manifest does not list (an extra table). */
  expectedRows: z.number().int().min(0).nullable(),
  /** `COUNT(*)` in the restored copy; null for a table missing from it. */
  actualRows: z.number().int().min(0).nullable(),
  /** The manifest's count was exact (must match), not a server estimate. */
  exact: z.boolean(),
  /** Set when an estimate was accepted although it differs from the actual count. */
  approximate: z.boolean().optional(),
  ok: z.boolean(),
});

export const verificationResultSchema = z.looseObject({
  formatVersion: z.literal(verificationFormatVersion),
  artifactId: artifactIdSchema,
  verifiedAt: z.iso.datetime(),
  /** The test server (a `testServers` name) it was restored on. */
  server: z.string(),
  ok: z.boolean(),
  durationMs: z.number().int().min(0),
  tables: z.array(verifiedTableSchema),
  /** Why it failed, one line each; empty when ok. */
  problems: z.array(z.string()),
  /** The error that stopped the restore (e.g. INTEGRITY_FAILED for damaged bytes). */
  error: z.looseObject({ code: z.string(), message: z.string() }).optional(),
  /** The scratch database could not be dropped afterwards (it says nothing about the artifact). */
  cleanupError: z.string().optional(),
});

export type VerifiedTable = z.infer<typeof verifiedTableSchema>;
export type VerificationResult = z.infer<typeof verificationResultSchema>;
