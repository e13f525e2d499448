/**
 * Escaping for values put into LDAP strings, so that a user name is always one value and never
 * syntax: a DN attribute value (RFC 4514) and a search filter assertion value (RFC 4515).
 */

/** Control characters (C0, DEL, C1; NUL included) have no business in a user name: refused. */
export function hasControlCharacters(value: string): boolean {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return true;
  }
  return false;
}

/**
 * RFC 4514 §2.4: `"+,;<>\` (and `=`, which is allowed) are escaped with a backslash, as are a
 * leading `#` or space and a trailing space. The caller refuses control characters first.
 */
export function escapeDnValue(value: string): string {
  let escaped = '';
  for (let index = 0; index < value.length; index++) {
    const char = value[index]!;
    const special =
      '"+,;<>=\\'.includes(char) ||
      (index === 0 && (char === '#' || char === ' ')) ||
      (index === value.length - 1 && char === ' ');
    escaped += special ? `\\${char}` : char;
  }
  return escaped;
}

/** RFC 4515 §3: `*`, `(`, `)`, `\` and NUL become `\2a`, `\28`, `\29`, `\5c`, `\00`. */
export function escapeFilterValue(value: string): string {
  let escaped = '';
  for (const char of value) {
    const special = char === '*' || char === '(' || char === ')' || char === '\\' || char === '\u0000';
    escaped += special ? `\\${char.charCodeAt(0).toString(16).padStart(2, '0')}` : char;
  }
  return escaped;
}

/** `{name}` placeholders replaced by already escaped values (a function: no `$&` surprises). */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}
