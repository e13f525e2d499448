import { z } from 'zod';
import { namedMap } from './named-map.ts';
import { durationSchema } from './retention-schema.ts';

/**
 * Notifications in the config: named channels under `notifications.channels`, and per target
 * `notify: [{ channel, events }]`. Secrets (every channel's webhook URL, the webhook signing
 * secret, the SMTP password) may be given inline, as `${ENV}`, or through the matching `...File`
 * key; `config check` and the API redact them.
 */
export const notificationEventNames = [
  'backup.failed',
  'backup.recovered',
  'target.stale',
  'destination.failed',
  'verification.failed',
  'restore.performed',
  'sandbox.created',
  'sandbox.expired',
] as const;

export type NotificationEventName = (typeof notificationEventNames)[number];

/** What a `notify` rule sends when it lists no events: the failures, and the recovery that ends them. */
export const defaultNotificationEvents: readonly NotificationEventName[] = [
  'backup.failed',
  'backup.recovered',
  'target.stale',
  'destination.failed',
  'verification.failed',
];

const secretText = z.string().min(1, 'must not be empty');
const optionalPath = z.string().min(1).optional();
const webhookUrl = secretText.describe('The webhook URL (a secret: use ${ENV} or urlFile).');
const urlFile = optionalPath.describe('File holding the webhook URL (e.g. a mounted Kubernetes secret).');

/** Headers Port-Yard sets itself on a webhook request: a custom header may not replace them. */
const reservedHeader = /^(content-type|content-length|host|user-agent|x-port-yard-.*)$/i;
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** What a webhook URL must look like, inline or in its `urlFile`. */
export const webhookUrlPattern = /^https?:\/\/[^\s/]+/;

type UrlChannel = { url?: unknown; urlFile?: unknown };

/** Exactly one of url and urlFile, and an http(s) URL when given inline. */
function checkUrl(channel: UrlChannel, ctx: z.RefinementCtx): void {
  if (channel.url === undefined && channel.urlFile === undefined) {
    ctx.addIssue({ code: 'custom', path: [], message: 'needs url or urlFile' });
  }
  if (channel.url !== undefined && channel.urlFile !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['urlFile'], message: 'give url or urlFile, not both' });
  }
  if (typeof channel.url === 'string' && channel.url !== '' && !webhookUrlPattern.test(channel.url)) {
    // Never echo the value: it is a secret.
    ctx.addIssue({ code: 'custom', path: ['url'], message: 'must be an http:// or https:// URL' });
  }
}

export const webhookChannelSchema = z
  .strictObject({
    type: z.literal('webhook'),
    url: webhookUrl.optional(),
    urlFile,
    secret: secretText
      .optional()
      .describe(
        'Signs each request: X-Port-Yard-Signature: sha256=<HMAC-SHA256 of the raw body, hex>. Use ${ENV} or secretFile.',
      ),
    secretFile: optionalPath.describe('File holding the signing secret.'),
    headers: z
      .record(
        z.string().regex(headerName, 'must be an HTTP header name'),
        z.string().regex(/^[^\r\n]*$/, 'must be one line'),
      )
      .optional()
      .describe('Extra request headers (e.g. Authorization: Bearer ${TOKEN}); their values are redacted.'),
  })
  .superRefine((channel, ctx) => {
    checkUrl(channel, ctx);
    if (channel.secret !== undefined && channel.secretFile !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['secretFile'], message: 'give secret or secretFile, not both' });
    }
    for (const name of Object.keys(channel.headers ?? {})) {
      if (reservedHeader.test(name))
        ctx.addIssue({ code: 'custom', path: ['headers', name], message: 'is set by Port-Yard itself' });
    }
  })
  .describe('A JSON POST to any URL (documented body, optional HMAC-SHA256 signature).');

export const slackChannelSchema = z
  .strictObject({ type: z.literal('slack'), url: webhookUrl.optional(), urlFile })
  .superRefine(checkUrl)
  .describe('A Slack incoming webhook (Block Kit message).');

export const teamsChannelSchema = z
  .strictObject({ type: z.literal('teams'), url: webhookUrl.optional(), urlFile })
  .superRefine(checkUrl)
  .describe('A Microsoft Teams Workflows (Power Automate) webhook (Adaptive Card).');

export const discordChannelSchema = z
  .strictObject({ type: z.literal('discord'), url: webhookUrl.optional(), urlFile })
  .superRefine(checkUrl)
  .describe('A Discord channel webhook (embed).');

const mailAddress = z.string().regex(/^[^\r\n]*@[^\r\n]*$/, 'must be an e-mail address');

export const emailChannelSchema = z
  .strictObject({
    type: z.literal('email'),
    host: z.string().min(1).describe('SMTP server.'),
    port: z
      .int()
      .min(1)
      .max(65535)
      .optional()
      .describe('SMTP port (default 587 with starttls, 465 with tls, 25 with none).'),
    security: z
      .enum(['starttls', 'tls', 'none'])
      .default('starttls')
      .describe(
        'starttls: upgrade with STARTTLS, required (default) | tls: TLS from the first byte (port 465) | none: plain (a local relay only).',
      ),
    ca: optionalPath.describe("CA certificate file (PEM) to trust for the server's certificate."),
    user: z.string().min(1).optional().describe('SMTP user (omit for a relay without authentication).'),
    password: secretText.optional().describe('SMTP password; use ${ENV} or passwordFile.'),
    passwordFile: optionalPath.describe('File holding the SMTP password.'),
    from: mailAddress.describe('Sender, e.g. "Port-Yard <backups@example.com>".'),
    to: z.array(mailAddress).min(1).describe('Recipients.'),
  })
  .superRefine((channel, ctx) => {
    if (channel.password !== undefined && channel.passwordFile !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['passwordFile'],
        message: 'give password or passwordFile, not both',
      });
    }
    const hasPassword = channel.password !== undefined || channel.passwordFile !== undefined;
    if (hasPassword && channel.user === undefined) {
      ctx.addIssue({ code: 'custom', path: ['user'], message: 'a password needs a user' });
    }
  })
  .describe('E-mail over SMTP.');

export const notificationChannelSchema = z.discriminatedUnion('type', [
  webhookChannelSchema,
  slackChannelSchema,
  teamsChannelSchema,
  discordChannelSchema,
  emailChannelSchema,
]);

export const notificationsSchema = z
  .strictObject({
    channels: namedMap(notificationChannelSchema)
      .prefault({})
      .describe('Named channels; targets choose theirs in `notify`.'),
    reminderInterval: durationSchema
      .default('24h')
      .describe('While a target keeps failing (or stays stale), it is notified again this often.'),
    timeout: durationSchema.default('10s').describe('One delivery attempt gives up after this long.'),
    attempts: z
      .int()
      .min(1)
      .max(10)
      .default(3)
      .describe('Delivery attempts per notification (with exponential backoff in between).'),
  })
  .describe('Where events (a failed backup, a stale target, ...) are sent.');

export const notifyRuleSchema = z
  .strictObject({
    channel: z.string().min(1).describe('A channel of notifications.channels.'),
    events: z
      .array(z.enum(notificationEventNames))
      .min(1)
      .default([...defaultNotificationEvents])
      .describe(
        'Events sent there (default: backup.failed, backup.recovered, target.stale, destination.failed, verification.failed).',
      ),
  })
  .describe('Send these events of the target to this channel.');

export type NotificationsConfig = z.infer<typeof notificationsSchema>;
export type NotificationChannelConfig = z.infer<typeof notificationChannelSchema>;
export type WebhookChannelConfig = z.infer<typeof webhookChannelSchema>;
export type EmailChannelConfig = z.infer<typeof emailChannelSchema>;
export type NotifyRule = z.infer<typeof notifyRuleSchema>;
