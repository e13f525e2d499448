import { configSchema } from '@port-yard/shared';
import { closestName } from './closest-name.ts';
import type { ConfigProblem } from './config-error.ts';
import { formatConfigPath } from './config-path.ts';
import { allowedKeysAt } from './schema-at-path.ts';
import type { YamlLocator } from './yaml-locator.ts';

type ConfigIssue = NonNullable<ReturnType<typeof configSchema.safeParse>['error']>['issues'][number];

interface Context {
  readonly locator: YamlLocator;
  /** The data that was validated: tells a missing key from a present one of the wrong type. */
  readonly data: unknown;
}

/**
 * Turns zod's issues into problems a user can act on: each with its path, the line and column of
 * the node at fault, and a message without zod's jargon. Issue inputs are never used in
 * messages, so a secret that fails validation is not echoed back.
 */
export function problemsFromIssues(issues: readonly ConfigIssue[], context: Context): ConfigProblem[] {
  return issues.flatMap((issue) => problemsFromIssue(issue, issue.path, context));
}

function problemsFromIssue(
  issue: ConfigIssue,
  path: readonly PropertyKey[],
  context: Context,
): ConfigProblem[] {
  const { locator } = context;
  const at = (where: readonly PropertyKey[], message: string, position = locator.valueAt(where)) => ({
    path: formatConfigPath(where),
    ...position,
    message,
  });
  const required = () => at(path, `is required${expected(issue) ? ` (${expected(issue)})` : ''}`);

  const unknownKeys = (objectPath: readonly PropertyKey[], keys: readonly string[]): ConfigProblem[] => {
    const allowed = allowedKeysAt(configSchema, objectPath);
    return keys.map((key) => {
      // `password:Hunter2` (no space after the colon) is one key: say so without what follows.
      const glued = /^([^:]+):/.exec(key)?.[1];
      if (glued !== undefined && allowed.includes(glued))
        return at(
          [...objectPath, glued],
          `needs a space after its ":" (${glued}:… is read as one unknown key)`,
          locator.keyAt([...objectPath, key]),
        );
      const guess = closestName(key, allowed);
      // The keys of every `type:` of a union are allowed here: one of another type is no typo.
      const hint =
        guess === key
          ? ' (it belongs to another type: check this entry\'s "type")'
          : guess
            ? ` (did you mean "${guess}"?)`
            : '';
      return at([...objectPath, key], `unknown key "${key}"${hint}`, locator.keyAt([...objectPath, key]));
    });
  };

  if (issue.code === 'unrecognized_keys') return unknownKeys(path, issue.keys);
  if (issue.code === 'invalid_key') {
    const reason = issue.issues[0]?.message ?? 'not allowed';
    return [at(path, `is not a valid name: ${reason}`, locator.keyAt(path))];
  }
  if (issue.code === 'invalid_union' && issue.discriminator !== undefined) {
    // zod stops at a bad `type:`; unknown keys beside it (`typ: s3`) are likely the reason.
    const objectPath = path.slice(0, -1);
    const present = Object.keys(asRecord(valueAt(context.data, objectPath)));
    const allowed = new Set(allowedKeysAt(configSchema, objectPath));
    const problems = unknownKeys(
      objectPath,
      present.filter((key) => !allowed.has(key)),
    );
    return [...problems, hasPath(context.data, path) ? at(path, `must be ${expected(issue)}`) : required()];
  }
  if (issue.code === 'invalid_union') {
    // The one alternative whose problems all lie inside the value is the one the user meant.
    const inside = issue.errors.filter((branch) => branch.every((inner) => inner.path.length > 0));
    if (inside.length === 1 && inside[0]) {
      return inside[0].flatMap((inner) => problemsFromIssue(inner, [...path, ...inner.path], context));
    }
  }
  if (!hasPath(context.data, path)) return [required()];
  if (issue.code === 'invalid_type') {
    return [at(path, `expected ${noun(issue.expected)}, found ${describe(valueAt(context.data, path))}`)];
  }
  if (issue.code === 'invalid_union') {
    // A schema's own message for the union ("must be a duration such as 7d, or false") says it best.
    const own = !issue.message.startsWith('Invalid input');
    return [at(path, own ? issue.message : `must be ${expected(issue)}`)];
  }
  const bound = boundMessage(issue);
  if (bound) return [at(path, bound)];
  return [at(path, issue.message.replace(/^Invalid input: /, ''))];
}

/**
 * zod's `Too big: expected number to be <=65535` (or `Too small: expected array to have >=1
 * items`) in words, for numbers, lists and texts; a schema's own message stays.
 */
function boundMessage(issue: ConfigIssue): string | undefined {
  if (issue.code !== 'too_big' && issue.code !== 'too_small') return undefined;
  if (!/^Too (big|small): /.test(issue.message)) return undefined;
  const limit = Number(issue.code === 'too_big' ? issue.maximum : issue.minimum);
  const strict = issue.inclusive === false;
  const most = issue.code === 'too_big';
  if (issue.origin === 'number') {
    if (most) return strict ? `must be less than ${limit}` : `must be at most ${limit}`;
    return strict ? `must be more than ${limit}` : `must be at least ${limit}`;
  }
  const count = strict ? (most ? limit - 1 : limit + 1) : limit;
  if (issue.origin === 'array')
    return most
      ? `must list at most ${count}`
      : count === 1
        ? 'must not be empty'
        : `must list at least ${count}`;
  if (issue.origin === 'string')
    return most
      ? `must be at most ${count} characters`
      : count === 1
        ? 'must not be empty'
        : `must be at least ${count} characters`;
  return undefined;
}

/** What a type check or a union wanted, in words: `a list`, `"all" or a list`, `one of: filesystem`. */
function expected(issue: ConfigIssue): string {
  if (issue.code === 'invalid_type') return noun(issue.expected);
  if (issue.code !== 'invalid_union') return '';
  if (issue.errors.length === 0 && 'options' in issue && issue.options) {
    return `one of: ${issue.options.map(String).join(', ')}`;
  }
  const alternatives = issue.errors.map((branch) => {
    const first = branch[0];
    if (first?.code === 'invalid_value')
      return first.values.map((value) => JSON.stringify(value)).join(' or ');
    if (first?.code === 'invalid_type') return noun(first.expected);
    return first?.message ?? 'something else';
  });
  return alternatives.join(' or ');
}

/** zod's type names in the words of YAML: an `object` is a mapping, an `array` a list. */
function noun(expected: string): string {
  const yamlWord: Record<string, string> = {
    object: 'mapping',
    record: 'mapping',
    array: 'list',
    int: 'whole number',
  };
  const word = yamlWord[expected] ?? expected;
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

/** What the user wrote, by kind only: never the value itself, which may be a secret. */
function describe(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number' && Number.isInteger(value)) return 'a whole number';
  // zod's number takes neither: "expected a number, found a number" said nothing.
  if (typeof value === 'number' && Number.isNaN(value)) return '.nan (not a number)';
  if (typeof value === 'number' && !Number.isFinite(value)) return 'an infinite number (.inf)';
  return noun(typeof value);
}

/** The value at `path` in parsed YAML data: undefined when a step is missing (own keys only). */
export function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let current = data;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

function hasPath(data: unknown, path: readonly PropertyKey[]): boolean {
  return valueAt(data, path) !== undefined;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
