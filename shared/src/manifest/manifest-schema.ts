import { z } from 'zod';
import { compressionNames, engineNames } from '../config/config-schema.ts';

/**
 * The manifest: one small JSON object written next to each artifact's data, **last**. An artifact
 * exists if and only if its manifest exists. Manifests are never rewritten. This is a public,
 * versioned format (docs/artifact-format.md); readers must ignore fields they do not know.
 */
export const manifestFormatVersion = 1;

/** `2026-11-26T03-22-01Z_k3v9x2m4pq`: UTC start time, then 10 random base32 characters. */
export const artifactIdPattern = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z_[a-z2-7]{10}$/;

export const artifactIdSchema = z.string().regex(artifactIdPattern, 'is not an artifact id');

export const dumpFormats = ['sql', 'pg-custom', 'pg-plain'] as const;

export const tableEstimateSchema = z.looseObject({
  schema: z.string().optional(),
  name: z.string(),
  rows: z.number().int().min(0),
  /** True when `rows` is an exact count taken at dump time, false for a server estimate. */
  exact: z.boolean(),
});

export const manifestSchema = z.looseObject({
  formatVersion: z.literal(manifestFormatVersion),
  artifactId: artifactIdSchema,
  runId: z.string(),
  target: z.string(),
  database: z.string(),
  engine: z.enum(engineNames),
  server: z.looseObject({ flavor: z.string(), version: z.string() }),
  dumpTool: z.looseObject({ name: z.string(), version: z.string() }),
  dumpFormat: z.enum(dumpFormats),
  agentVersion: z.string(),
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime(),
  /** Bytes the dump tool wrote (before compression). */
  rawBytes: z.number().int().min(0),
  /** Bytes of the stored data object; sha256 is over exactly these bytes. */
  storedBytes: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  compression: z.looseObject({ algorithm: z.enum(compressionNames), level: z.number().int().optional() }),
  /** null, or how the stored bytes are encrypted: the recipients, never a secret. */
  encryption: z.union([
    z.null(),
    z.looseObject({ algorithm: z.literal('age'), recipients: z.array(z.string()).min(1) }),
  ]),
  /** Name of the data object, relative to the manifest's folder. */
  dataObject: z.string(),
  fingerprint: z.string().nullable(),
  tables: z.array(tableEstimateSchema),
  /**
   * How the database itself was made, for a restore into a new database: MariaDB/MySQL
   * `characterSet` and `collation`; PostgreSQL `encoding`, `lcCollate`, `lcCtype`, and
   * `localeProvider` (icu, builtin) with `locale` and `icuRules`. Absent when unknown.
   */
  databaseOptions: z.record(z.string(), z.string()).optional(),
  /** The target's labels, and Port-Yard's own under `port-yard.` (see `reasonLabel`). */
  labels: z.record(z.string(), z.string()),
  /**
   * Every destination of the run and whether the data object was committed there. The manifest is
   * written only where it was (so each copy of the manifest lists the others).
   */
  destinations: z.array(
    z.looseObject({ storage: z.string(), committed: z.boolean(), error: z.string().optional() }),
  ),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type DumpFormat = (typeof dumpFormats)[number];
export type TableEstimate = z.infer<typeof tableEstimateSchema>;
