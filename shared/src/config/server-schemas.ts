import { z } from 'zod';

/** The agent's HTTP server and who may use it: a public contract (add freely). */
export const roleNames = ['viewer', 'operator'] as const;
export type Role = (typeof roleNames)[number];

const role = z
  .enum(roleNames)
  .describe('viewer (see, download) | operator (also run, restore, delete, pin).');

const cidr = z
  .string()
  .regex(/^[0-9a-fA-F:.]+(\/\d{1,3})?$/, 'must be an address or CIDR such as 10.0.0.0/8 or ::1')
  .describe('An address or CIDR.');

export const serverSchema = z
  .strictObject({
    host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe('Address to listen on (0.0.0.0 for every interface, e.g. in a container).'),
    port: z
      .int()
      .min(0)
      .max(65535)
      .default(8420)
      .describe('Port of the API, downloads, health, metrics and the web UI.'),
    tls: z
      .strictObject({
        cert: z.string().min(1).describe('Certificate chain file (PEM).'),
        key: z.string().min(1).describe('Private key file (PEM).'),
      })
      .optional()
      .describe('Serve HTTPS (and WSS) directly; otherwise put a TLS proxy in front.'),
    publicUrl: z
      .url()
      .optional()
      .describe(
        'The URL users reach the agent at (for OIDC redirects and Secure cookies behind a TLS proxy).',
      ),
    allowedOrigins: z
      .array(z.string().min(1))
      .default([])
      .describe(
        'Other origins allowed to call the API from a browser (CORS), e.g. a console served elsewhere.',
      ),
    allowedHosts: z
      .array(
        z
          .string()
          .regex(
            /^(\*|\.?[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?)$/,
            'must be a host name (backups.example.com), a domain with a leading dot (.example.com), or *',
          ),
      )
      .default([])
      .describe(
        'Host names the agent answers to besides IP addresses, localhost and the publicUrl host (DNS rebinding guard): names, .domains, or * for any.',
      ),
    webRoot: z
      .string()
      .min(1)
      .optional()
      .describe('Folder of the web console bundle served at / (default: the built one, if present).'),
  })
  .describe('The HTTP server.');

export const userSchema = z.strictObject({
  username: z.string().min(1).max(128),
  passwordHash: z
    .string()
    .regex(/^\$(argon2id|2[aby])\$/, 'must be an argon2id or bcrypt hash (npx port-yard hash-password)'),
  role,
});

export const tokenSchema = z.strictObject({
  name: z.string().min(1).max(128).describe('Who or what uses the token (shown in the audit log).'),
  tokenHash: z
    .string()
    .regex(/^\$(argon2id|2[aby])\$/, 'must be an argon2id or bcrypt hash (npx port-yard hash-password)'),
  role,
});

export const roleRuleSchema = z
  .strictObject({
    role,
    users: z.array(z.string().min(1)).optional().describe('User names given this role.'),
    groups: z
      .array(z.string().min(1))
      .optional()
      .describe('Groups (proxy header, OIDC claim, LDAP) given this role.'),
  })
  .describe('A mapping rule: matching users or groups get the role (the highest matching role wins).');

export const authSchema = z
  .strictObject({
    mode: z
      .enum(['none', 'proxy', 'basic', 'oidc', 'ldap'])
      .default('none')
      .describe('none | proxy | basic | oidc | ldap (API tokens work in every mode).'),
    anonymousRole: role.default('viewer').describe('mode none: the role everyone gets.'),
    defaultRole: z
      .enum([...roleNames, 'none'])
      .default('viewer')
      .describe('Role of a signed-in user no rule matches (none: refused).'),
    users: z
      .array(userSchema)
      .default([])
      .describe('mode basic: static users with argon2id or bcrypt password hashes.'),
    tokens: z
      .array(tokenSchema)
      .default([])
      .describe('API tokens (hashed) for the desktop app and automation; Authorization: Bearer <token>.'),
    roles: z.array(roleRuleSchema).default([]).describe('Mapping rules from users and groups to roles.'),
    proxy: z
      .strictObject({
        userHeader: z.string().min(1).default('X-Forwarded-User'),
        groupsHeader: z.string().min(1).default('X-Forwarded-Groups'),
        trustedProxies: z
          .array(cidr)
          .min(1)
          .describe('Only requests from these addresses may set the headers.'),
      })
      .optional()
      .describe(
        'mode proxy: an authenticating reverse proxy (oauth2-proxy, Authelia, ...) sets the user and groups.',
      ),
    oidc: z
      .strictObject({
        issuer: z.url().describe('The provider (Keycloak realm, Entra ID, Google, Authentik, ...).'),
        clientId: z.string().min(1),
        clientSecret: z.string().min(1).optional(),
        clientSecretFile: z.string().min(1).optional(),
        scopes: z.array(z.string()).default(['openid', 'profile', 'email']),
        groupsClaim: z.string().min(1).default('groups').describe('The claim holding groups or roles.'),
        usernameClaim: z.string().min(1).default('preferred_username'),
      })
      .optional()
      .describe('mode oidc: authorization code flow with PKCE.'),
    ldap: z
      .strictObject({
        url: z.string().regex(/^ldaps?:\/\//, 'must be an ldap:// or ldaps:// URL'),
        userDnTemplate: z
          .string()
          .includes('{username}')
          .describe('DN to bind as, e.g. uid={username},ou=people,dc=example,dc=org.'),
        groupSearchBase: z.string().min(1).optional(),
        groupFilter: z.string().default('(member={dn})').describe('{dn} is the user DN.'),
        groupNameAttribute: z.string().default('cn'),
        startTls: z.boolean().default(false),
      })
      .optional()
      .describe('mode ldap: bind as the user, then look up their groups.'),
    sessionTtl: z
      .string()
      // At most 7 digits, as every duration: a longer one was accepted here and then became 12h.
      .regex(
        /^[1-9][0-9]{0,6}(m|h|d)$/,
        'must be a duration in minutes, hours or days, such as 30m, 12h or 7d',
      )
      .default('12h')
      .describe('How long a login session lasts.'),
  })
  .superRefine((auth, ctx) => {
    const need = (key: 'proxy' | 'oidc' | 'ldap') => {
      if (auth.mode === key && !auth[key])
        ctx.addIssue({ code: 'custom', path: [key], message: `is required with mode: ${key}` });
    };
    need('proxy');
    need('oidc');
    need('ldap');
    if (auth.oidc?.clientSecret !== undefined && auth.oidc.clientSecretFile !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['oidc', 'clientSecretFile'],
        message: 'give clientSecret or clientSecretFile, not both',
      });
    }
    if (auth.mode === 'basic' && auth.users.length === 0 && auth.tokens.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['users'],
        message: 'mode basic needs at least one user (or token)',
      });
    }
  })
  .describe('Authentication and roles.');

export type ServerConfig = z.infer<typeof serverSchema>;
export type AuthConfig = z.infer<typeof authSchema>;
