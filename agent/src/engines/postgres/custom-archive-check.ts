import type { CompletionCheck } from '../engine.ts';

/**
 * Whether a pg_dump custom-format archive (`--format=custom`) is whole. A custom archive has no
 * trailer, but its table of contents, at the start, lists every entry that has a data block, and
 * each block ends with a zero-length chunk. The archive is complete when every listed block is
 * there, each one ends, and nothing follows the last. A wrapper that loses pg_dump's exit status
 * (`docker exec db pg_dump ... | ...` without pipefail) and cuts the dump is caught by this, as a
 * cut plain dump is by its trailer.
 *
 * The layout is pg_dump's (src/bin/pg_dump/pg_backup_archiver.c ReadHead/ReadToc,
 * pg_backup_custom.c): archive versions 1.12 (pg_dump 9.0) to 1.16 (17 and 18; tested on archives
 * of pg_dump 15 and 18). An archive of a later version is only checked for its magic, as before
 * this check existed.
 */
export function customArchiveCheck(toolName: string): CompletionCheck {
  const head = headParser();
  let data: DataBlocks | undefined;
  let received = 0;

  return {
    observe(chunk) {
      received += chunk.length;
      let offset = 0;
      if (!data) {
        offset = head.feed(chunk);
        const toc = head.result();
        if (!toc) return;
        data = dataBlocks(toc);
      }
      data.feed(chunk, offset);
    },
    problem() {
      const malformed = head.malformed() ?? data?.malformed();
      if (malformed !== undefined)
        return `the dump is not a well-formed custom-format archive (${malformed}): ${toolName} output was damaged`;
      if (head.unknownVersion()) return undefined;
      if (received < 5) return `the dump does not start with PGDMP: not ${toolName} output`;
      if (!data) return `the custom-format archive ends inside ${head.where()}: ${toolName} stopped early`;
      return data.endProblem(toolName);
    },
  };
}

/** What the header and table of contents say: the data blocks to expect. */
interface TableOfContents {
  readonly intSize: number;
  /** The dump ids of the entries that have a data block. */
  readonly listed: ReadonlySet<number>;
}

type Need = { readonly take: number } | { readonly skip: number };
type DataBlocks = ReturnType<typeof dataBlocks>;

const archiveVersion = (major: number, minor: number, revision = 0): number =>
  (major * 256 + minor) * 256 + revision;
const oldestKnown = archiveVersion(1, 12);
const newestKnown = archiveVersion(1, 16);
const customFormat = 1;
/** Data-state flags of a TOC entry's offset (K_OFFSET_*): 3 means the entry has no data. */
const offsetStates = new Set([1, 2, 3]);
const noData = 3;
/** Block types (BLK_DATA, BLK_BLOBS). */
const dataBlock = 1;
const largeObjectsBlock = 3;

/** pg_dump's integer: a sign byte, then `intSize` bytes, least significant first. */
function decodeInt(bytes: Uint8Array, at: number, intSize: number): number {
  let value = 0;
  for (let index = intSize; index >= 1; index--) value = value * 256 + bytes[at + index]!;
  return bytes[at] ? -value : value;
}

class Malformed extends Error {}

/**
 * The header and the table of contents, read once at the start (a few hundred bytes per entry),
 * by a generator that yields what it needs next: `take` gives it bytes, `skip` passes over them.
 */
function headParser() {
  let where = 'the header';
  let malformed: string | undefined;
  let unknownVersion = false;
  let toc: TableOfContents | undefined;
  const parser = parse();
  let need: Need | undefined = parser.next().value ?? undefined;
  let taken: number[] = [];

  function* parse(): Generator<Need, void, Uint8Array> {
    const magic = yield { take: 5 };
    if (Buffer.from(magic).toString('latin1') !== 'PGDMP') throw new Malformed('no PGDMP magic');
    const [major = 0, minor = 0, revision = 0] = yield { take: 3 };
    const version = archiveVersion(major, minor, revision);
    if (version > newestKnown) {
      unknownVersion = true;
      return;
    }
    if (version < oldestKnown) throw new Malformed(`archive version ${major}.${minor} is too old`);
    const [intSize = 0, offSize = 0, format] = yield { take: 3 };
    if (intSize < 1 || intSize > 8 || offSize < 1 || offSize > 16)
      throw new Malformed(`integer size ${intSize}, offset size ${offSize}`);
    if (format !== customFormat) throw new Malformed(`format ${format} is not the custom format`);
    function* int(): Generator<Need, number, Uint8Array> {
      return decodeInt(yield { take: 1 + intSize }, 0, intSize);
    }
    /** Passes over a string; false for a null one (length -1). */
    function* string(): Generator<Need, boolean, Uint8Array> {
      const length = yield* int();
      if (length > 0) yield { skip: length };
      return length >= 0;
    }

    if (version >= archiveVersion(1, 15))
      yield { take: 1 }; // compression algorithm
    else yield* int(); // compression level
    for (let field = 0; field < 7; field++) yield* int(); // the dump's date
    for (let field = 0; field < 3; field++) yield* string(); // database, server and pg_dump versions

    where = 'the table of contents';
    const entries = yield* int();
    if (entries < 0) throw new Malformed(`${entries} TOC entries`);
    const listed = new Set<number>();
    for (let entry = 0; entry < entries; entry++) {
      const dumpId = yield* int();
      yield* int(); // hadDumper
      for (let field = 0; field < 4; field++) yield* string(); // tableoid, oid, tag, desc
      yield* int(); // section
      for (let field = 0; field < 5; field++) yield* string(); // defn, drop, copy, namespace, tablespace
      if (version >= archiveVersion(1, 14)) yield* string(); // table access method
      if (version >= archiveVersion(1, 16)) yield* int(); // relkind
      yield* string(); // owner
      yield* string(); // "false" (WITH OIDS)
      while (yield* string()); // dependencies, up to a null string
      const [dataState = 0] = yield { take: 1 };
      if (!offsetStates.has(dataState))
        throw new Malformed(`TOC entry ${dumpId} has data state ${dataState}`);
      yield { skip: offSize };
      if (dataState !== noData) listed.add(dumpId);
    }
    toc = { intSize, listed };
  }

  const advance = (value: Uint8Array | undefined): void => {
    try {
      const step = parser.next(value as Uint8Array);
      need = step.done ? undefined : step.value;
    } catch (error) {
      if (!(error instanceof Malformed)) throw error;
      malformed = error.message;
      need = undefined;
    }
  };

  return {
    /** Reads what it needs of `chunk`; returns where its own bytes end. */
    feed(chunk: Buffer): number {
      let offset = 0;
      while (offset < chunk.length && need) {
        if ('skip' in need) {
          const skipped = Math.min(need.skip, chunk.length - offset);
          offset += skipped;
          need = { skip: need.skip - skipped };
          if (need.skip === 0) advance(undefined);
          continue;
        }
        const part = Math.min(need.take - taken.length, chunk.length - offset);
        for (let index = 0; index < part; index++) taken.push(chunk[offset + index]!);
        offset += part;
        if (taken.length === need.take) {
          const bytes = Uint8Array.from(taken);
          taken = [];
          advance(bytes);
        }
      }
      return offset;
    },
    result: () => toc,
    where: () => where,
    malformed: () => malformed,
    unknownVersion: () => unknownVersion,
  };
}

/**
 * The data blocks, which are most of the archive: a tight loop, as pg_dump writes each row of a
 * table as its own chunk (with its compression off, as here).
 */
function dataBlocks(toc: TableOfContents) {
  const { intSize, listed } = toc;
  const intBytes = 1 + intSize;
  const seen = new Set<number>();
  let step: 'type' | 'id' | 'length' | 'oid' = 'type';
  let type = 0;
  let dumpId = 0;
  let skipLeft = 0;
  let partial: number[] = [];
  let malformed: string | undefined;

  /** Takes the next integer of the block: its id, a chunk length or a large object's oid. */
  const onInt = (value: number): void => {
    if (step === 'id') {
      dumpId = value;
      if (type !== dataBlock && type !== largeObjectsBlock)
        throw new Malformed(`block type ${type} for TOC entry ${dumpId}`);
      if (!listed.has(dumpId)) throw new Malformed(`a data block for TOC entry ${dumpId}, which lists none`);
      if (seen.has(dumpId)) throw new Malformed(`a second data block for TOC entry ${dumpId}`);
      step = type === dataBlock ? 'length' : 'oid';
    } else if (step === 'length') {
      if (value < 0) throw new Malformed(`a negative chunk length in TOC entry ${dumpId}`);
      if (value > 0) skipLeft = value;
      else if (type === dataBlock) endBlock();
      else step = 'oid';
    } else if (value === 0) endBlock();
    else step = 'length';
  };
  const endBlock = (): void => {
    seen.add(dumpId);
    step = 'type';
  };

  return {
    feed(chunk: Buffer, from: number): void {
      let offset = from;
      try {
        while (offset < chunk.length && malformed === undefined) {
          if (skipLeft > 0) {
            const skipped = Math.min(skipLeft, chunk.length - offset);
            skipLeft -= skipped;
            offset += skipped;
          } else if (step === 'type') {
            type = chunk[offset++]!;
            step = 'id';
          } else if (partial.length === 0 && chunk.length - offset >= intBytes) {
            onInt(decodeInt(chunk, offset, intSize));
            offset += intBytes;
          } else {
            while (partial.length < intBytes && offset < chunk.length) partial.push(chunk[offset++]!);
            if (partial.length < intBytes) return;
            const bytes = partial;
            partial = [];
            onInt(decodeInt(Uint8Array.from(bytes), 0, intSize));
          }
        }
      } catch (error) {
        if (!(error instanceof Malformed)) throw error;
        malformed = error.message;
      }
    },
    malformed: () => malformed,
    endProblem(toolName: string): string | undefined {
      const between = step === 'type' && skipLeft === 0 && partial.length === 0;
      if (between && seen.size === listed.size) return undefined;
      const where = between
        ? 'after a data block'
        : step === 'id'
          ? 'inside a data block header'
          : `inside the data block of TOC entry ${dumpId}`;
      return `the custom-format archive ends ${where}, with ${seen.size} of the ${listed.size} data blocks its table of contents lists: ${toolName} stopped early`;
    },
  };
}
