import type { EngineFamily } from '../verify/engine-family.ts';

export interface SandboxUriParts {
  readonly family: EngineFamily;
  readonly user: string;
  readonly password: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
}

/** `mysql://user:pw@host:port/db` or `postgresql://...`, every part percent-encoded, IPv6 in brackets. */
export function sandboxUri(parts: SandboxUriParts): string {
  const scheme = parts.family === 'postgres' ? 'postgresql' : 'mysql';
  const host = parts.host.includes(':') ? `[${parts.host}]` : parts.host;
  const encode = encodeURIComponent;
  return `${scheme}://${encode(parts.user)}:${encode(parts.password)}@${host}:${parts.port}/${encode(parts.database)}`;
}
