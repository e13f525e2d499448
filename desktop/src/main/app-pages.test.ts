import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appFile, isAppUrl, originOf, packagedOrigin, permissionAllowed } from './app-pages.ts';

describe('app pages', () => {
  it('rebuilds origins that Node reports as null', () => {
    expect(new URL('app://port-yard/index.html').origin).toBe('null');
    expect(originOf('app://port-yard/index.html#/agents')).toBe('app://port-yard');
    expect(originOf('http://localhost:5173/src/main.ts')).toBe('http://localhost:5173');
    expect(originOf('https://backup.example:443/x')).toBe('https://backup.example');
    expect(originOf('file:///etc/passwd')).toBeUndefined();
    expect(originOf('not a url')).toBeUndefined();
  });

  it('tells app pages from everything else', () => {
    expect(isAppUrl('app://port-yard/index.html', packagedOrigin)).toBe(true);
    expect(isAppUrl('app://port-yard.evil/index.html', packagedOrigin)).toBe(false);
    expect(isAppUrl('https://port-yard/index.html', packagedOrigin)).toBe(false);
    expect(isAppUrl('http://localhost:5173/', 'http://localhost:5173')).toBe(true);
  });

  it('maps app URLs to files under the renderer folder, and nothing outside it', () => {
    const root = '/opt/port-yard/out/renderer';
    expect(appFile(root, 'app://port-yard/')).toBe(join(root, 'index.html'));
    expect(appFile(root, 'app://port-yard/index.html?x=1#/agents')).toBe(join(root, 'index.html'));
    expect(appFile(root, 'app://port-yard/assets/index-abc.js')).toBe(join(root, 'assets/index-abc.js'));
    expect(appFile(root, 'app://port-yard/assets/%E2%9C%93.svg')).toBe(join(root, 'assets/\u2713.svg'));
    // The URL parser already folds `..` and `%2e%2e` segments at the root.
    expect(appFile(root, 'app://port-yard/../../etc/passwd')).toBe(join(root, 'etc/passwd'));
    expect(appFile(root, 'app://port-yard/%2e%2e/%2e%2e/etc/passwd')).toBe(join(root, 'etc/passwd'));
    // Encoded slashes survive the parser; decoded, they would leave the folder.
    expect(appFile(root, 'app://port-yard/..%2f..%2fetc%2fpasswd')).toBeUndefined();
    expect(appFile(root, 'app://port-yard/%E0%A4%A')).toBeUndefined();
    expect(appFile(root, 'app://port-yard/a%00b')).toBeUndefined();
    expect(appFile(root, 'app://other/index.html')).toBeUndefined();
    expect(appFile(root, 'https://port-yard/index.html')).toBeUndefined();
  });

  it('grants clipboard writes to the app’s pages and nothing else to anyone', () => {
    expect(permissionAllowed('clipboard-sanitized-write', 'app://port-yard/index.html', packagedOrigin)).toBe(
      true,
    );
    expect(permissionAllowed('clipboard-sanitized-write', 'https://evil.example/', packagedOrigin)).toBe(
      false,
    );
    for (const permission of ['clipboard-read', 'media', 'notifications', 'geolocation', 'openExternal'])
      expect(permissionAllowed(permission, 'app://port-yard/index.html', packagedOrigin)).toBe(false);
  });
});
