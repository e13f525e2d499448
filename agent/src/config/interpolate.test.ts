import { describe, expect, it } from 'vitest';
import { interpolate, referencedVariables } from './interpolate.ts';

const env = { USER_NAME: 'backup', EMPTY: '', PORT: '5432' };

describe('interpolate', () => {
  it('replaces ${VAR} with its value, anywhere in the text', () => {
    expect(interpolate('${USER_NAME}', env)).toEqual({ value: 'backup', hadReferences: true, problems: [] });
    expect(interpolate('u=${USER_NAME};p=${PORT}', env).value).toBe('u=backup;p=5432');
  });

  it('uses the default of ${VAR:-default} when VAR is unset or empty, the value otherwise', () => {
    expect(interpolate('${NOPE:-127.0.0.1}', env).value).toBe('127.0.0.1');
    expect(interpolate('${EMPTY:-fallback}', env).value).toBe('fallback');
    expect(interpolate('${PORT:-1}', env).value).toBe('5432');
    expect(interpolate('${NOPE:-}', env)).toEqual({ value: '', hadReferences: true, problems: [] });
    expect(interpolate('${NOPE:-a:-b $x}', env).value).toBe('a:-b $x');
  });

  it('keeps an empty variable empty, without a problem', () => {
    expect(interpolate('${EMPTY}', env)).toEqual({ value: '', hadReferences: true, problems: [] });
  });

  it('turns $${ into a literal ${ and leaves other dollars alone', () => {
    expect(interpolate('$${USER_NAME}', env)).toEqual({
      value: '${USER_NAME}',
      hadReferences: true,
      problems: [],
    });
    expect(interpolate('pa$$word $USER_NAME $', env)).toEqual({
      value: 'pa$$word $USER_NAME $',
      hadReferences: false,
      problems: [],
    });
  });

  it('reports every unset variable by name, never a value', () => {
    const result = interpolate('${A}-${USER_NAME}-${B}', env);
    expect(result.value).toBe('-backup-');
    expect(result.problems).toEqual([
      'environment variable A is not set (give ${A:-default} for a default)',
      'environment variable B is not set (give ${B:-default} for a default)',
    ]);
  });

  it('reports malformed references', () => {
    expect(interpolate('${not a name}', env).problems).toEqual([
      '${not a name} is not a variable reference: write ${NAME} or ${NAME:-default}',
    ]);
    expect(interpolate('abc ${USER_NAME', env).problems).toEqual([
      'unterminated ${ (write $${ for a literal ${)',
    ]);
    // It became the text `${INNER}`, a database of that name.
    expect(interpolate('${UNSET:-${INNER}}', env).problems).toEqual([
      '${UNSET:-…} has a ${ in its default: a default is taken literally, and cannot hold another reference',
    ]);
  });

  it('names the variables a text refers to, as interpolate reads them', () => {
    expect(referencedVariables('${A} $${B} ${C:-x} ${A} $D $$${E} ${bad name}')).toEqual(['A', 'C']);
  });
});
