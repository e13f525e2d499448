/** The environment variables `${VAR}` references read from. */
export type ConfigEnv = Readonly<Record<string, string | undefined>>;

export interface Interpolated {
  /** The text with every reference replaced (an unresolvable reference becomes ''). */
  readonly value: string;
  /** Whether the text held any `${...}` or `$${` at all. */
  readonly hadReferences: boolean;
  /** What could not be resolved; empty when all is well. Never includes variable values. */
  readonly problems: readonly string[];
}

const reference = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/**
 * Replaces `${VAR}` with the variable's value and `${VAR:-default}` with the value, or with the
 * default when the variable is unset or empty; `$${` stands for a literal `${`. A lone `$` or
 * `$VAR` without braces is left as it is. Defaults are taken literally (no nesting), so a
 * default cannot contain `}`. An unset variable without a default is a problem, an empty one is
 * not (the schema then decides whether an empty value is allowed).
 */
export function interpolate(text: string, env: ConfigEnv): Interpolated {
  let value = '';
  let hadReferences = false;
  const problems: string[] = [];
  for (const piece of pieces(text)) {
    if (piece.kind === 'text') {
      value += piece.text;
      continue;
    }
    hadReferences = true;
    if (piece.kind === 'escape') value += '${';
    else if (piece.kind === 'unterminated') problems.push('unterminated ${ (write $${ for a literal ${)');
    else {
      const resolved = resolveReference(piece.inner, env);
      if (typeof resolved === 'string') value += resolved;
      else problems.push(resolved.problem);
    }
  }
  return { value, hadReferences, problems };
}

/** The variables `text` refers to (`${NAME}`, `${NAME:-default}`), by name, once each. */
export function referencedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const piece of pieces(text)) {
    const name = piece.kind === 'reference' ? reference.exec(piece.inner)?.[1] : undefined;
    if (name !== undefined) names.add(name);
  }
  return [...names];
}

type Piece =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'escape' }
  | { readonly kind: 'reference'; readonly inner: string }
  | { readonly kind: 'unterminated' };

/** The one reading of `${...}`, `$${` and plain text that both functions above share. */
function* pieces(text: string): Generator<Piece> {
  let index = 0;
  while (index < text.length) {
    const start = text.indexOf('$', index);
    if (start === -1) break;
    yield { kind: 'text', text: text.slice(index, start) };
    if (text.startsWith('$${', start)) {
      yield { kind: 'escape' };
      index = start + 3;
      continue;
    }
    if (!text.startsWith('${', start)) {
      yield { kind: 'text', text: '$' };
      index = start + 1;
      continue;
    }
    const end = text.indexOf('}', start + 2);
    if (end === -1) {
      yield { kind: 'unterminated' };
      return;
    }
    yield { kind: 'reference', inner: text.slice(start + 2, end) };
    index = end + 1;
  }
  yield { kind: 'text', text: text.slice(index) };
}

function resolveReference(inner: string, env: ConfigEnv): string | { problem: string } {
  const match = reference.exec(inner);
  if (!match) {
    return { problem: `\${${inner}} is not a variable reference: write \${NAME} or \${NAME:-default}` };
  }
  const [, name = '', fallback] = match;
  // `${A:-${B}}` ended at the first `}`: its default was the text `${B`, and a `}` followed.
  if (fallback?.includes('${'))
    return {
      problem: `\${${name}:-…} has a \${ in its default: a default is taken literally, and cannot hold another reference`,
    };
  const found = env[name];
  if (fallback !== undefined) return found === undefined || found === '' ? fallback : found;
  if (found === undefined) {
    return { problem: `environment variable ${name} is not set (give \${${name}:-default} for a default)` };
  }
  return found;
}
