import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';

/** A 1-based line and column in the config file. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/** Finds where a config path is written in the YAML source, so problems can point at it. */
export interface YamlLocator {
  /** The value at `path`; for a path that is not in the file, its nearest existing parent. */
  valueAt(path: readonly PropertyKey[]): SourcePosition | undefined;
  /** The key naming the last segment of `path` (an unknown key, a badly formed name). */
  keyAt(path: readonly PropertyKey[]): SourcePosition | undefined;
  /** Whether the file has a node at `path` at all (false for a missing key). */
  has(path: readonly PropertyKey[]): boolean;
}

export function createYamlLocator(doc: Document, lineCounter: LineCounter): YamlLocator {
  const positionOf = (node: Node | undefined): SourcePosition | undefined => {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  return {
    valueAt: (path) => positionOf(walk(doc, path).node),
    keyAt: (path) => {
      const parent = walk(doc, path.slice(0, -1));
      const last = path.at(-1);
      if (!parent.found || last === undefined) return positionOf(parent.node);
      return positionOf(pairOf(parent.node, last)?.key ?? parent.node);
    },
    has: (path) => walk(doc, path).found,
  };
}

interface Walked {
  /** The node at the path, or the deepest ancestor that exists. */
  readonly node: Node | undefined;
  readonly found: boolean;
}

function walk(doc: Document, path: readonly PropertyKey[]): Walked {
  let node = resolve(doc, doc.contents ?? undefined);
  for (const segment of path) {
    const child = resolve(doc, childOf(node, segment));
    if (!child) return { node, found: false };
    node = child;
  }
  return { node, found: node !== undefined };
}

function childOf(node: Node | undefined, segment: PropertyKey): Node | undefined {
  if (isMap(node)) {
    // `key:` with nothing after it may have no value node: the key then stands for the value.
    const pair = pairOf(node, segment);
    return pair ? ((pair.value as Node | null) ?? pair.key) : undefined;
  }
  if (isSeq(node) && typeof segment === 'number')
    return (node.items[segment] as Node | undefined) ?? undefined;
  return undefined;
}

function pairOf(
  node: Node | undefined,
  segment: PropertyKey,
): { key: Node | undefined; value: unknown } | undefined {
  if (!isMap(node)) return undefined;
  const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
  return pair ? { key: pair.key as Node, value: pair.value } : undefined;
}

/** Follows `*alias` references to the anchored node, as the parsed data does. */
function resolve(doc: Document, node: Node | undefined): Node | undefined {
  return isAlias(node) ? (node.resolve(doc) ?? node) : node;
}
