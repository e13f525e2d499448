import { isAlias, isMap, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document, YAMLError } from 'yaml';
import type { ConfigProblem } from './config-error.ts';
import { createYamlLocator } from './yaml-locator.ts';
import type { YamlLocator } from './yaml-locator.ts';

export type ParsedConfigYaml =
  | { readonly ok: true; readonly doc: Document; readonly locator: YamlLocator }
  | { readonly ok: false; readonly problems: ConfigProblem[] };

/**
 * Parses the config text into a YAML document that remembers where every node is written.
 * Syntax errors (all of them), an empty file, a top level that is not a mapping, `*aliases`
 * to no anchor and `&anchors` on a single value that no alias uses are reported as problems with their positions; nothing here throws.
 */
export function parseConfigYaml(text: string): ParsedConfigYaml {
  const lineCounter = new LineCounter();
  // prettyErrors off: messages without a copy of the source line (which may hold a secret);
  // merge on: `<<: *common` lets targets share settings, as many users expect from YAML.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  const locator = createYamlLocator(doc, lineCounter);
  const at = (offset: number | undefined, message: string): ConfigProblem => {
    const position = offset === undefined ? undefined : lineCounter.linePos(offset);
    return { path: '', ...(position ? { line: position.line, column: position.col } : {}), message };
  };

  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: syntaxProblems(doc.errors, text).map((error) =>
        at(error.offset, `YAML syntax: ${error.message}`),
      ),
    };
  }
  const contents = doc.contents;
  if (contents === null) {
    return {
      ok: false,
      problems: [at(undefined, 'the file is empty: it needs at least version, storages and targets')],
    };
  }
  if (!isMap(contents)) {
    const found = isSeq(contents) ? 'a list' : 'a single value';
    const message = `the top level must be a mapping (version, storages, targets), not ${found}`;
    return { ok: false, problems: [at(contents.range?.[0], message)] };
  }
  const problems: ConfigProblem[] = [];
  const aliased = new Set<string>();
  const scalarAnchors: { anchor: string; offset: number | undefined }[] = [];
  visit(doc, {
    Scalar(_key, node) {
      if (node.anchor) scalarAnchors.push({ anchor: node.anchor, offset: node.range?.[0] });
    },
    Alias(_key, node) {
      if (isAlias(node)) aliased.add(node.source);
      if (isAlias(node) && !node.resolve(doc))
        // Not named: an unquoted password that starts with `*` is read as an alias.
        problems.push(
          at(
            node.range?.[0],
            'an alias (*…) refers to no &anchor: a value that starts with * must be quoted',
          ),
        );
    },
  });
  // `password: &Pa55 word` is the value `word` under an anchor: a password that starts with &.
  for (const { anchor, offset } of scalarAnchors)
    if (!aliased.has(anchor))
      problems.push(
        at(offset, 'an anchor (&…) that no alias uses: a value that starts with & must be quoted'),
      );
  return problems.length > 0 ? { ok: false, problems } : { ok: true, doc, locator };
}

/** Past this many, syntax problems are echoes of the first ones (or the file is not YAML at all). */
const maxSyntaxProblems = 10;

/**
 * An unquoted `${VAR}` inside `{ }` or `[ ]`: there its `{` starts a mapping, and yaml reports
 * tokens, not why. The reference as the user should write it, quoted; only the variable's name
 * (a default after `:-` may be a secret, and is shown as `…`).
 */
function unquotedReference(text: string, offset: number): { start: number; message: string } | undefined {
  if (text[offset] !== '{' || text[offset - 1] !== '$') return undefined;
  const match = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}\n]*)?\}/.exec(text.slice(offset - 1));
  const reference = match ? `\${${match[1]}${match[2] === undefined ? '' : ':-…'}}` : '${…}';
  return {
    start: offset - 1,
    message: `${reference} inside { } or [ ] must be quoted, as "${reference}": unquoted, its { starts a mapping`,
  };
}

/**
 * yaml's errors, each at most once per mistake and without the source text some of them quote
 * (the stray token, a block scalar header): that text may be a secret. Once a document has ended
 * (an extra `}`), yaml reports every later token as stray: the first of them stands for all.
 * An unquoted `${VAR}` in a flow collection is said as such, with what follows from it left out.
 */
function syntaxProblems(errors: readonly YAMLError[], text: string): { offset: number; message: string }[] {
  const problems: { offset: number; message: string }[] = [];
  let strayTokens = 0;
  // Where the last unquoted reference ends: errors before that are about its pieces.
  let referenceEnd = -1;
  let references = 0;
  for (const error of errors) {
    const reference = unquotedReference(text, error.pos[0]);
    if (reference) {
      problems.push({ offset: reference.start, message: reference.message });
      references++;
      referenceEnd = text.indexOf('}', error.pos[0]);
      continue;
    }
    if (error.pos[0] <= referenceEnd) continue;
    // Stray tokens after a reference broke the flow collection: echoes of it.
    if (references > 0 && / in YAML stream\b/.test(error.message)) continue;
    // `Unexpected scalar token in YAML stream: "<source>"`, `Not a YAML token: <source>`.
    let message = error.message.replace(
      /^(Unexpected .* token in YAML \w+|Not a YAML token): [\s\S]*$/,
      '$1',
    );
    if (message.endsWith(' in YAML stream')) {
      if (strayTokens++ > 0) continue;
      message = `${message}: the rest of the file cannot be read`;
    } else if (message.startsWith('Source contains multiple documents')) {
      message = 'a second document (after ---): the config is one document';
    } else if (message.startsWith('Block scalar header includes extra characters')) {
      message = 'a value starting with | or > is a block scalar header: quote the value';
    } else if (error.code === 'DUPLICATE_KEY') {
      // yaml says only "Map keys must be unique": name the key (keys hold no secret).
      const key = /^\s*["']?([^"':\n]{1,64})/.exec(text.slice(error.pos[0]))?.[1]?.trim();
      if (key) message = `the key "${key}" appears twice in one mapping`;
    }
    problems.push({ offset: error.pos[0], message });
  }
  if (problems.length <= maxSyntaxProblems) return problems;
  const more = problems.length - maxSyntaxProblems;
  const [last] = problems.slice(maxSyntaxProblems);
  return [
    ...problems.slice(0, maxSyntaxProblems),
    { offset: last?.offset ?? 0, message: `and ${more} more (is this a YAML file?)` },
  ];
}

/** The document as plain data; an alias bomb (too many `*alias` expansions) is a problem, not a hang. */
export function documentData(doc: Document): { data: unknown } | { problem: ConfigProblem } {
  try {
    return { data: doc.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    return { problem: { path: '', message: `cannot read the YAML: ${(error as Error).message}` } };
  }
}
