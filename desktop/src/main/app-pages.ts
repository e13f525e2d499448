import { join, resolve, sep } from 'node:path';

/**
 * The app's own pages: served from `app://port-yard/` in the packaged app (a privileged,
 * standard, secure scheme, so the pages have a real origin instead of `file://`), or from the
 * electron-vite dev server during development.
 */
export const appScheme = 'app';
export const packagedOrigin = `${appScheme}://port-yard`;

/**
 * `scheme://host[:port]` of a URL, the way Chromium sees it. Node's URL says `null` for the
 * origin of schemes it does not know (`app:`), so it is rebuilt here. Undefined without a host.
 */
export function originOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.host ? `${parsed.protocol}//${parsed.host}` : undefined;
  } catch {
    return undefined;
  }
}

export function isAppUrl(url: string, appOrigin: string): boolean {
  return originOf(url) === appOrigin;
}

/**
 * The file under `root` for an `app://port-yard/...` request: `/` is `index.html`; a path that
 * leaves `root` (`..`, encoded or not), another host or a malformed path gives undefined.
 */
export function appFile(root: string, url: string): string | undefined {
  if (!isAppUrl(url, packagedOrigin)) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0')) return undefined;
  const base = resolve(root);
  const file = resolve(join(base, path === '/' ? 'index.html' : path));
  return file.startsWith(base + sep) ? file : undefined;
}

/**
 * The only permission a page gets: writing to the clipboard (the console's copy buttons), and
 * only the app's own pages. No camera, notifications, geolocation, ... for anyone.
 */
export function permissionAllowed(permission: string, requestingUrl: string, appOrigin: string): boolean {
  return permission === 'clipboard-sanitized-write' && isAppUrl(requestingUrl, appOrigin);
}
