import { isIP } from 'node:net';

/**
 * DNS rebinding: a web page on `http://evil.example:8420` whose name the attacker then points at
 * 127.0.0.1 is, for the browser, the same origin as the agent on this machine. The page could read
 * the API and download backups (a viewer may; auth mode none makes everyone one), and no Origin
 * check sees it, since the origin is the page's own. What gives it away is the Host header: the
 * attacker's name. So the agent answers only to names it knows:
 * - IP addresses (a page at an address is that address: nothing to rebind);
 * - `localhost` and `*.localhost` (browsers resolve these to loopback themselves);
 * - the host of `server.publicUrl`;
 * - `server.allowedHosts`: names (`backups.example.com`), whole domains (`.example.com`), or `*`
 *   for any name (only behind a proxy that checks the name itself).
 * A request without a Host header (HTTP/1.0 tools) is not a browser's and passes.
 */
export interface HostRules {
  readonly allowedHosts: readonly string[];
  readonly publicUrl?: string;
}

/** The host name of a Host header (`name:port`, `[v6]:port`), lower case, without port or brackets. */
export function hostName(header: string): string {
  const trimmed = header.trim().toLowerCase();
  if (trimmed.startsWith('['))
    return trimmed.slice(1, trimmed.indexOf(']') > 0 ? trimmed.indexOf(']') : undefined);
  const colon = trimmed.lastIndexOf(':');
  return (colon >= 0 ? trimmed.slice(0, colon) : trimmed).replace(/\.$/, '');
}

/** Whether a request's Host header names a host the agent answers to; the rules are read once. */
export function hostChecker(rules: HostRules): (header: string | undefined) => boolean {
  const names = new Set(rules.allowedHosts.map((allowed) => allowed.toLowerCase()));
  if (rules.publicUrl !== undefined) names.add(new URL(rules.publicUrl).hostname.toLowerCase());
  const domains = [...names].filter((rule) => rule.startsWith('.'));
  const anyName = names.has('*');
  return (header) => {
    if (header === undefined || header === '') return true;
    const name = hostName(header);
    if (isIP(name) !== 0 || name === 'localhost' || name.endsWith('.localhost')) return true;
    return (
      anyName ||
      names.has(name) ||
      domains.some((domain) => name.endsWith(domain) || name === domain.slice(1))
    );
  };
}

export function hostRefusal(header: string): string {
  return (
    `host ${hostName(header)} is not allowed: add it to server.allowedHosts (or set server.publicUrl), ` +
    'or open the agent by its IP address or localhost. This guards against DNS rebinding.'
  );
}
