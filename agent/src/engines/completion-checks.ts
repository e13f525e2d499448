import type { CompletionCheck } from './engine.ts';

const tailBytes = 4096;

/**
 * What may follow a dump's completion trailer: blank lines, `--` comment lines, and the
 * `\unrestrict <key>` line that pg_dump writes last since 17.6, 16.10, 15.14, 14.19 and 13.22.
 */
const afterTrailer = /^(?:--)?\s*$|^\\unrestrict [A-Za-z0-9]+\s*$/;

/**
 * The dump is complete when a line starting with `marker` (e.g. mariadb-dump's
 * `-- Dump completed`) is its last but blank lines, comments and pg_dump's `\unrestrict`: the
 * marker anywhere in the last bytes is not enough, as a table's data may hold it (as escaped
 * text) just before the place a wrapper cut the dump.
 */
export function trailerCheck(marker: string, toolName: string): CompletionCheck {
  let tail: Buffer = Buffer.alloc(0);
  return {
    observe(chunk) {
      tail =
        chunk.length >= tailBytes
          ? chunk.subarray(chunk.length - tailBytes)
          : Buffer.concat([tail, chunk]).subarray(-tailBytes);
    },
    problem() {
      const text = tail.toString('latin1');
      const at = text.lastIndexOf(`\n${marker}`);
      const complete =
        at >= 0 &&
        text
          .slice(at + 1)
          .split('\n')
          .slice(1)
          .every((line) => afterTrailer.test(line));
      return complete
        ? undefined
        : `the dump has no completion trailer ("${marker}"): ${toolName} stopped early`;
    },
  };
}
