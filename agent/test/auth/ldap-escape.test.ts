import { describe, expect, it } from 'vitest';
import {
  escapeDnValue,
  escapeFilterValue,
  fillTemplate,
  hasControlCharacters,
} from '../../src/auth/ldap/ldap-escape.ts';

describe('LDAP escaping', () => {
  it('escapes DN specials (RFC 4514), a leading # or space and a trailing space', () => {
    expect(escapeDnValue('admin,ou=x')).toBe('admin\\,ou\\=x');
    expect(escapeDnValue('a+b;c<d>e"f\\g')).toBe('a\\+b\\;c\\<d\\>e\\"f\\\\g');
    expect(escapeDnValue('#1 ')).toBe('\\#1\\ ');
    expect(escapeDnValue(' ')).toBe('\\ ');
    expect(escapeDnValue('  x  ')).toBe('\\  x \\ ');
    expect(escapeDnValue('*)(uid=*')).toBe('*)(uid\\=*');
    expect(escapeDnValue('jürgen.o')).toBe('jürgen.o');
  });

  it('escapes filter specials (RFC 4515)', () => {
    expect(escapeFilterValue('*)(uid=*')).toBe('\\2a\\29\\28uid=\\2a');
    expect(escapeFilterValue('uid=a\\,b')).toBe('uid=a\\5c,b');
    expect(escapeFilterValue('a\u0000b')).toBe('a\\00b');
  });

  it('finds control characters', () => {
    expect(hasControlCharacters('alice\n')).toBe(true);
    expect(hasControlCharacters('alice\u007f')).toBe(true);
    expect(hasControlCharacters('alice\u0085')).toBe(true);
    expect(hasControlCharacters('alice smith')).toBe(false);
  });

  it('fills placeholders literally ($& in a value is not a replacement pattern)', () => {
    expect(fillTemplate('uid={username},ou=p', { username: 'a$&b' })).toBe('uid=a$&b,ou=p');
    expect(fillTemplate('(member={dn})', {})).toBe('(member={dn})');
  });
});
