import { describe, expect, it } from 'vitest';
import { hostChecker, hostName, hostRefusal } from './host-check.ts';

const hostAllowed = (header: string | undefined, rules: Parameters<typeof hostChecker>[0]): boolean =>
  hostChecker(rules)(header);

describe('hostName', () => {
  it('drops the port, the brackets of an IPv6 address and a trailing dot, in lower case', () => {
    expect(hostName('Backups.Example.com:8420')).toBe('backups.example.com');
    expect(hostName('[::1]:8420')).toBe('::1');
    expect(hostName('[::1]')).toBe('::1');
    expect(hostName('127.0.0.1')).toBe('127.0.0.1');
    expect(hostName('example.com.:80')).toBe('example.com');
  });
});

describe('hostAllowed (DNS rebinding)', () => {
  const none = { allowedHosts: [] };
  it('allows IP addresses, localhost and *.localhost, and a request without a Host header', () => {
    for (const host of [
      '127.0.0.1:8420',
      '10.1.2.3',
      '[::1]:8420',
      '[fe80::1]',
      'localhost:8420',
      'app.localhost',
    ])
      expect(hostAllowed(host, none), host).toBe(true);
    expect(hostAllowed(undefined, none)).toBe(true);
  });

  it('refuses any other name unless it is publicUrl’s host or in allowedHosts', () => {
    for (const host of ['evil.example:8420', 'localhost.evil.example', '127.0.0.1.nip.io', 'port-yard'])
      expect(hostAllowed(host, none), host).toBe(false);
    expect(hostAllowed('backups.example.com', { ...none, publicUrl: 'https://Backups.example.com/' })).toBe(
      true,
    );
    const rules = { allowedHosts: ['port-yard', '.example.lan'] };
    expect(hostAllowed('port-yard:8420', rules)).toBe(true);
    expect(hostAllowed('nas.example.lan', rules)).toBe(true);
    expect(hostAllowed('example.lan', rules)).toBe(true);
    expect(hostAllowed('evilexample.lan', rules)).toBe(false);
    expect(hostAllowed('anything.at.all', { allowedHosts: ['*'] })).toBe(true);
  });

  it('says what to change', () => {
    expect(hostRefusal('evil.example:8420')).toMatch(
      /^host evil\.example is not allowed: add it to server\.allowedHosts/,
    );
  });
});
