import { Cron } from 'croner';
import { z } from 'zod';
import {
  databaseNamePattern,
  databaseNameProblem,
  databaseNameRule,
  isDatabaseName,
  resourceNamePattern,
  resourceNameRule,
} from './names.ts';
import { durationMs } from './duration.ts';
import { namedMap } from './named-map.ts';
import { durationSchema, retentionSchema } from './retention-schema.ts';
import { notificationsSchema, notifyRuleSchema } from './notification-schemas.ts';
import { authSchema, serverSchema } from './server-schemas.ts';
import { storageSchema } from './storage-schemas.ts';

export const engineNames = ['mariadb', 'mysql', 'postgres'] as const;
export const compressionNames = ['zstd', 'gzip', 'none'] as const;

const resourceName = z.string().regex(resourceNamePattern, resourceNameRule);

const databaseName = z.string().regex(databaseNamePattern, databaseNameRule);

const secretText = z.string().min(1, 'must not be empty');
/** A database password: the dump tools get it in a file (.pgpass, an option file) of one line each. */
const databasePassword = secretText.regex(
  /^[^\r\n]*$/,
  'must not contain a line break (the dump and restore tools read it from a file, one line each)',
);

/**
 * Cross-field checks run even when other fields of the same object failed (zod skips refinements
 * after such problems by default), so one validation reports every problem at once. The values
 * they see may then have any type: each check tests the types it relies on.
 */
const alsoBesideOtherProblems = {
  when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null,
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOneOf<T extends string>(names: readonly T[], value: unknown): value is T {
  return (names as readonly unknown[]).includes(value);
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) return 'must be a cron expression with 5 or 6 fields';
  let cron: Cron;
  try {
    cron = new Cron(expression, { paused: true });
  } catch (error) {
    return `is not a valid cron expression: ${(error as Error).message}`;
  }
  // Valid field by field, yet no date matches (the 30th of February): it would never run.
  return cron.nextRun() === null ? 'never fires: no date matches this cron expression' : undefined;
}

export const tlsSchema = z
  .strictObject({
    mode: z
      .enum(['disable', 'prefer', 'require', 'verify-ca', 'verify-full'])
      .default('prefer')
      .describe(
        'disable | prefer | require (encrypt, no certificate check) | verify-ca | verify-full (also the host name).',
      ),
    ca: z.string().optional().describe('CA certificate file (PEM) for verify-ca / verify-full.'),
    cert: z.string().optional().describe('Client certificate file (PEM).'),
    key: z.string().optional().describe('Client key file (PEM).'),
  })
  .describe('TLS to the database server.');

export const encryptionSchema = z
  .strictObject({
    recipients: z
      .array(z.string().regex(/^age1[02-9ac-hj-np-z]{58}$/, 'must be an age X25519 recipient (age1...)'))
      .min(1)
      .describe(
        'age public keys (age-keygen -y): anyone holding one of the matching identities can decrypt.',
      ),
    identityFile: z
      .string()
      .min(1)
      .optional()
      .describe('age identity file (AGE-SECRET-KEY-...), needed only to restore or download decrypted.'),
  })
  .describe('Encryption at rest with age: artifacts decrypt with the standard age CLI, without Port-Yard.');

export const testServerSchema = z
  .strictObject({
    engine: z.enum(engineNames).describe('mariadb | mysql | postgres.'),
    host: z.string().min(1).optional().describe('Host (default 127.0.0.1).'),
    port: z.int().min(1).max(65535).optional().describe('Port (default 3306, or 5432 for postgres).'),
    socket: z
      .string()
      .min(1)
      .optional()
      .describe('Unix socket (MariaDB/MySQL) or socket folder (PostgreSQL).'),
    user: z.string().min(1).describe('A user that may create and drop databases (and users, for sandboxes).'),
    password: databasePassword.optional(),
    passwordFile: z.string().min(1).optional(),
    tls: tlsSchema.optional(),
    publicHost: z
      .string()
      .min(1)
      .optional()
      .describe('Sandboxes: the host name developers connect to (default: host).'),
    publicPort: z
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe('Sandboxes: the port developers connect to (default: port).'),
  })
  .describe('A database server for restore verification and developer sandboxes: never a production server.');

export const verifySchema = z
  .strictObject({
    server: resourceName.describe('The test server (testServers) to restore into.'),
    after: z
      .string()
      .superRefine((after, ctx) => {
        const problem = after === 'each' ? undefined : cronProblem(after);
        if (problem)
          ctx.addIssue({ code: 'custom', message: `must be each or a cron expression: ${problem}` });
      })
      .default('each')
      .describe(
        'each: verify every new artifact after its backup; or a cron expression: verify the newest artifact then.',
      ),
  })
  .describe('Restore verification: restore into a scratch database, compare tables and row counts, drop it.');

/** A sandbox's longest life when the target's `sandbox.maxTtl` is not given. */
export const defaultSandboxMaxTtl = '30d';

export const sandboxSchema = z
  .strictObject({
    server: resourceName.describe('The test server (testServers) sandboxes are deployed to.'),
    ttl: durationSchema.default('8h').describe('How long a sandbox lives before it is dropped.'),
    maxTtl: durationSchema
      .default(defaultSandboxMaxTtl)
      .describe(
        'The longest life a sandbox may be given, when created or extended: a copy of the data with a working login must not be forgotten for years.',
      ),
    maskingSql: z
      .string()
      .min(1)
      .optional()
      .describe('SQL file run after the restore, before credentials are issued.'),
  })
  .superRefine((sandbox, ctx) => {
    const ttl = durationMs(sandbox.ttl);
    const max = durationMs(sandbox.maxTtl);
    if (ttl !== undefined && max !== undefined && ttl > max)
      ctx.addIssue({ code: 'custom', path: ['ttl'], message: `is longer than maxTtl (${sandbox.maxTtl})` });
  })
  .describe('Developer sandboxes: a restored copy with a generated user that can reach only it.');

export const restoreOptionsSchema = z
  .strictObject({
    openConnections: z
      .enum(['refuse', 'terminate'])
      .default('refuse')
      .describe(
        'When a database being replaced has open connections: refuse the restore, or terminate them.',
      ),
    safetyBackup: z
      .boolean()
      .default(true)
      .describe('Back up the database being replaced first (a request can turn it off).'),
    keepSafetyBackups: z
      .union([durationSchema, z.literal(false)], { error: 'must be a duration such as 7d, or false' })
      .default('7d')
      .describe(
        'Retention keeps a safety backup at least this long, whatever its tiers say; false: like any other backup.',
      ),
    staging: z
      .boolean()
      .default(true)
      .describe(
        'Stage the artifact, checked and decompressed, in a local temporary file before the database is touched (lets pg_restore use jobs).',
      ),
    stagingDir: z
      .string()
      .min(1)
      .optional()
      .describe('Folder for the staged file (default: the system temp folder); needs room for the raw dump.'),
    jobs: z.int().min(1).max(64).default(2).describe('pg_restore --jobs for a staged custom-format dump.'),
  })
  .describe('How restores of this target behave.');

/**
 * Lists whose entries must differ (checked in targetSchema's refinement, with the entry named);
 * said in the JSON Schema too, so that an editor marks a name listed twice as it is typed.
 */
const eachOnce = { uniqueItems: true };

export const targetSchema = z
  .strictObject({
    engine: z.enum(engineNames).describe('mariadb (mariadb-dump) | mysql (mysqldump) | postgres (pg_dump).'),
    host: z.string().min(1).optional().describe('Server host name or address (default 127.0.0.1).'),
    port: z.int().min(1).max(65535).optional().describe('Server port (default 3306, or 5432 for postgres).'),
    socket: z
      .string()
      .min(1)
      .optional()
      .describe('Unix socket path (MariaDB/MySQL) or socket directory (PostgreSQL), instead of host/port.'),
    user: z.string().min(1).describe('Database user the dump runs as.'),
    password: databasePassword
      .optional()
      .describe('Password; use ${ENV_VAR} or passwordFile rather than inline text.'),
    passwordFile: z
      .string()
      .min(1)
      .optional()
      .describe('File holding the password (e.g. a mounted Kubernetes secret).'),
    tls: tlsSchema.optional(),
    databases: z
      .union([z.literal('all'), z.array(databaseName).min(1).meta(eachOnce)])
      .describe('A list of databases (each once), or `all` (every non-system database, minus `exclude`).'),
    exclude: z
      .array(z.string().min(1))
      .meta(eachOnce)
      .optional()
      .describe(
        'With databases: all, databases to leave out, each once (also names Port-Yard cannot back up).',
      ),
    compression: z.enum(compressionNames).default('zstd').describe('zstd (default) | gzip | none.'),
    compressionLevel: z
      .int()
      .min(1)
      .max(19)
      .optional()
      .describe('zstd 1-19 (default 3), gzip 1-9 (default 6).'),
    dumpFormat: z
      .enum(['custom', 'plain'])
      .optional()
      .describe('PostgreSQL only: custom (default; pg_restore) or plain SQL (psql).'),
    dumpCommand: z
      .string()
      .min(1)
      .optional()
      .describe('Path of the dump tool, if not mariadb-dump / mysqldump / pg_dump on the PATH.'),
    destinations: z
      .array(resourceName)
      .min(1)
      .meta(eachOnce)
      .describe('Names of storages every artifact is written to, each once.'),
    schedule: z
      .string()
      .superRefine((schedule, ctx) => {
        const problem = cronProblem(schedule);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional()
      .describe('Cron expression (5 or 6 fields) in `timezone`.'),
    timezone: z
      .string()
      .superRefine((zone, ctx) => {
        if (!isTimeZone(zone)) ctx.addIssue({ code: 'custom', message: `is not an IANA time zone: ${zone}` });
      })
      .default('UTC')
      .describe('IANA time zone for the schedule and calendar retention.'),
    catchUpAfter: durationSchema
      .optional()
      .describe(
        'At start, run once at once when the newest artifact is older than this (default: when a scheduled time passed since the newest artifact began). Missed runs are caught up once, never one per missed slot.',
      ),
    timeout: durationSchema.optional().describe('A run taking longer is killed and reported as failed.'),
    maxAge: durationSchema.optional().describe('The target is stale when its newest artifact is older.'),
    skipIfUnchanged: z.boolean().default(false).describe('Skip a scheduled backup when nothing changed.'),
    maxSkipAge: durationSchema.optional().describe('With skipIfUnchanged: back up anyway after this long.'),
    retention: retentionSchema.optional(),
    encryption: encryptionSchema.optional(),
    verify: verifySchema.optional(),
    sandbox: sandboxSchema.optional(),
    restore: restoreOptionsSchema.optional(),
    notify: z
      .array(notifyRuleSchema)
      .optional()
      .describe('Which events of this target go to which notification channels.'),
    labels: z
      .record(z.string(), z.string())
      .optional()
      .describe('Free-form labels copied into every manifest.'),
  })
  .superRefine((target, ctx) => {
    if (target.password !== undefined && target.passwordFile !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['passwordFile'],
        message: 'give password or passwordFile, not both',
      });
    }
    if (target.socket !== undefined && (target.host !== undefined || target.port !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['socket'], message: 'give socket or host/port, not both' });
    }
    if (target.exclude !== undefined && Array.isArray(target.databases)) {
      ctx.addIssue({ code: 'custom', path: ['exclude'], message: 'only applies with databases: all' });
    }
    // A database listed twice was dumped twice; a storage twice got two racing writes of one copy.
    for (const field of ['databases', 'exclude', 'destinations'] as const) {
      const names: unknown = target[field];
      if (!Array.isArray(names)) continue;
      names.forEach((name: unknown, index) => {
        if (names.indexOf(name) !== index)
          ctx.addIssue({
            code: 'custom',
            path: [field, index],
            message: `${JSON.stringify(name)} is listed twice`,
          });
      });
    }
    if (Array.isArray(target.databases)) {
      for (const [index, database] of target.databases.entries()) {
        const problem = typeof database === 'string' && databaseNameProblem(database, target.engine);
        if (problem && isDatabaseName(database))
          ctx.addIssue({ code: 'custom', path: ['databases', index], message: problem });
      }
    }
    if (
      target.dumpFormat !== undefined &&
      isOneOf(engineNames, target.engine) &&
      target.engine !== 'postgres'
    ) {
      ctx.addIssue({ code: 'custom', path: ['dumpFormat'], message: 'only applies to engine: postgres' });
    }
    if (typeof target.compressionLevel === 'number' && isOneOf(compressionNames, target.compression)) {
      const max = target.compression === 'gzip' ? 9 : target.compression === 'zstd' ? 19 : 0;
      // Past 19 the field's own maximum says it already: once is enough.
      if (target.compressionLevel > max && (max === 0 || target.compressionLevel <= 19)) {
        ctx.addIssue({
          code: 'custom',
          path: ['compressionLevel'],
          message: max === 0 ? 'needs a compression' : `must be at most ${max} for ${target.compression}`,
        });
      }
    }
    if (target.maxSkipAge !== undefined && target.skipIfUnchanged === false) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxSkipAge'],
        message: 'only applies with skipIfUnchanged: true',
      });
    }
  }, alsoBesideOtherProblems)
  .describe('A database server to back up.');

export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Editor hint; ignored.'),
    version: z.literal(1).describe('Config format version. Always 1 for now.'),
    maxConcurrent: z.int().min(1).max(64).default(2).describe('Backup runs at once, over all targets.'),
    retentionSchedule: z
      .string()
      .superRefine((schedule, ctx) => {
        const problem = cronProblem(schedule);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .default('17 * * * *')
      .describe(
        'Cron (UTC) for the retention pass over every target and the sweep of leftovers; retention also runs after each backup.',
      ),
    orphanGracePeriod: durationSchema
      .default('24h')
      .describe(
        'Temporary data and data without a manifest older than this are removed by the retention pass.',
      ),
    server: serverSchema.default({ host: '127.0.0.1', port: 8420, allowedOrigins: [], allowedHosts: [] }),
    auth: authSchema.default({
      mode: 'none',
      anonymousRole: 'viewer',
      defaultRole: 'viewer',
      users: [],
      tokens: [],
      roles: [],
      sessionTtl: '12h',
    }),
    storages: namedMap(storageSchema)
      .refine((storages) => Object.keys(storages).length > 0, { message: 'needs at least one storage' })
      .describe('Named places artifacts are written to.'),
    targets: namedMap(targetSchema).prefault({}).describe('Named database servers to back up.'),
    testServers: namedMap(testServerSchema)
      .prefault({})
      .describe('Named servers for restore verification and sandboxes.'),
    notifications: notificationsSchema.prefault({
      channels: {},
      reminderInterval: '24h',
      timeout: '10s',
      attempts: 3,
    }),
  })
  .superRefine((config, ctx) => {
    const { storages, targets, testServers } = config as {
      storages: unknown;
      targets: unknown;
      testServers: unknown;
    };
    if (!isRecord(storages) || !isRecord(targets)) return;
    const servers = isRecord(testServers) ? testServers : {};
    for (const [name, target] of Object.entries(targets)) {
      for (const feature of ['verify', 'sandbox'] as const) {
        const settings = isRecord(target) ? target[feature] : undefined;
        const server = isRecord(settings) ? settings['server'] : undefined;
        if (
          typeof server === 'string' &&
          resourceNamePattern.test(server) &&
          !Object.hasOwn(servers, server)
        ) {
          ctx.addIssue({
            code: 'custom',
            path: ['targets', name, feature, 'server'],
            message: `names no test server: ${server} (testServers: ${Object.keys(servers).join(', ') || 'none'})`,
          });
        }
      }
      checkNotifyChannels(config, name, target, ctx);
      const destinations = isRecord(target) ? target['destinations'] : undefined;
      if (!Array.isArray(destinations)) continue;
      destinations.forEach((destination: unknown, index) => {
        // A malformed name already has its own problem; only well-formed names are looked up.
        if (typeof destination !== 'string' || !resourceNamePattern.test(destination)) return;
        if (!Object.hasOwn(storages, destination)) {
          ctx.addIssue({
            code: 'custom',
            path: ['targets', name, 'destinations', index],
            message: `names no storage: ${destination} (storages: ${Object.keys(storages).join(', ')})`,
          });
        }
      });
    }
  }, alsoBesideOtherProblems);

/** Each `notify` rule of a target names a channel of `notifications.channels`. */
function checkNotifyChannels(config: unknown, name: string, target: unknown, ctx: z.RefinementCtx): void {
  const rules = isRecord(target) ? target['notify'] : undefined;
  if (!Array.isArray(rules)) return;
  const notifications = isRecord(config) ? config['notifications'] : undefined;
  const channels =
    isRecord(notifications) && isRecord(notifications['channels']) ? notifications['channels'] : {};
  rules.forEach((rule: unknown, index) => {
    const channel = isRecord(rule) ? rule['channel'] : undefined;
    if (typeof channel !== 'string' || channel === '' || Object.hasOwn(channels, channel)) return;
    ctx.addIssue({
      code: 'custom',
      path: ['targets', name, 'notify', index, 'channel'],
      message: `names no notification channel: ${channel} (notifications.channels: ${Object.keys(channels).join(', ') || 'none'})`,
    });
  });
}

export type PortYardConfig = z.infer<typeof configSchema>;
export type PortYardConfigInput = z.input<typeof configSchema>;
export type TargetConfig = z.infer<typeof targetSchema>;
export type TlsConfig = z.infer<typeof tlsSchema>;
export type EngineName = (typeof engineNames)[number];
export type CompressionName = (typeof compressionNames)[number];

/** Keys whose values are secrets: redacted in every output (config check, API, logs). */
export const secretKeys: ReadonlySet<string> = new Set([
  'password',
  'secretAccessKey',
  'sessionToken',
  'clientSecret',
  'passwordHash',
  'tokenHash',
  'passphrase',
  'token',
]);

export type EncryptionConfig = z.infer<typeof encryptionSchema>;
export type TestServerConfig = z.infer<typeof testServerSchema>;
export type VerifyConfig = z.infer<typeof verifySchema>;
export type SandboxConfig = z.infer<typeof sandboxSchema>;
export type RestoreOptions = z.infer<typeof restoreOptionsSchema>;

const defaultRestoreOptions: RestoreOptions = restoreOptionsSchema.parse({});

/** A target's restore settings, with the defaults filled in. */
export function restoreOptionsOf(target: TargetConfig): RestoreOptions {
  return target.restore ?? defaultRestoreOptions;
}
