/**
 * Just enough of a browser for redirect-based sign-in flows: cookies kept per host (path and
 * expiry attributes ignored, except removal), redirects followed by hand so each hop can be
 * inspected. One instance is one browser profile.
 */
export interface Hop {
  readonly url: string;
  readonly status: number;
  readonly location?: string;
  readonly text: string;
}

export class Browser {
  readonly jar = new Map<string, Map<string, string>>();

  cookie(url: string, name: string): string | undefined {
    return this.jar.get(new URL(url).host)?.get(name);
  }

  async get(url: string): Promise<Hop> {
    const host = new URL(url).host;
    const cookies = [...(this.jar.get(host) ?? [])].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, { redirect: 'manual', headers: cookies ? { cookie: cookies } : {} });
    for (const line of response.headers.getSetCookie()) this.store(host, line);
    const location = response.headers.get('location') ?? undefined;
    return {
      url,
      status: response.status,
      location: location === undefined ? undefined : new URL(location, url).href,
      text: await response.text(),
    };
  }

  /** Follows redirects from `url` until a response is not a redirect or `stop` says so. */
  async navigate(url: string, stop: (next: URL) => boolean = () => false): Promise<Hop[]> {
    const hops: Hop[] = [];
    let next: string | undefined = url;
    while (next !== undefined && hops.length < 20) {
      const hop = await this.get(next);
      hops.push(hop);
      next = hop.status >= 300 && hop.status < 400 ? hop.location : undefined;
      if (next !== undefined && stop(new URL(next))) break;
    }
    return hops;
  }

  private store(host: string, line: string): void {
    const [pair = '', ...attributes] = line.split(';');
    const [name = '', ...rest] = pair.trim().split('=');
    const cookies = this.jar.get(host) ?? new Map<string, string>();
    this.jar.set(host, cookies);
    const removed = attributes.some((attribute) => {
      const [key = '', value = ''] = attribute.trim().split('=');
      if (/^max-age$/i.test(key)) return Number(value) <= 0;
      return /^expires$/i.test(key) && Date.parse(value) <= Date.now();
    });
    if (removed) cookies.delete(name);
    else cookies.set(name, rest.join('='));
  }
}
