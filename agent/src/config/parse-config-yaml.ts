import { isAlias, isMap, isSeq, LineCounter, parseDocument, visit } from 'yaml';
import type { Document } from 'yaml';
import type { ConfigProblem } from './config-error.ts';
import { createYamlLocator } from './yaml-locator.ts';
import type { YamlLocator } from './yaml-locator.ts';

export type ParsedConfigYaml =
  | { readonly ok: true; readonly doc: Document; readonly locator: YamlLocator }
  | { readonly ok: false; readonly problems: ConfigProblem[] };

/**
 * Parses the config text into a YAML document that remembers where every node is written.
 * Syntax errors (all of them), an empty file, a top level that is not a mapping and `*aliases`
 * to no anchor are reported as problems with their positions; nothing here throws.
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
      problems: doc.errors.map((error) => at(error.pos[0], `YAML syntax: ${error.message}`)),
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
  visit(doc, {
    Alias(_key, node) {
      if (isAlias(node) && !node.resolve(doc))
        problems.push(at(node.range?.[0], `*${node.source} refers to no &anchor`));
    },
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, doc, locator };
}

/** The document as plain data; an alias bomb (too many `*alias` expansions) is a problem, not a hang. */
export function documentData(doc: Document): { data: unknown } | { problem: ConfigProblem } {
  try {
    return { data: doc.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    return { problem: { path: '', message: `cannot read the YAML: ${(error as Error).message}` } };
  }
}
