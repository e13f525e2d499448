import type { CompletionCheck } from './engine.ts';

const tailBytes = 4096;

/** The dump is complete when its last bytes contain `marker` (e.g. mariadb-dump's `-- Dump completed`). */
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
      return tail.includes(marker)
        ? undefined
        : `the dump has no completion trailer ("${marker}"): ${toolName} stopped early`;
    },
  };
}

/** The dump is well-formed when it starts with `magic` (e.g. `PGDMP` for pg_dump's custom format). */
export function headerCheck(magic: string, toolName: string): CompletionCheck {
  let head: Buffer = Buffer.alloc(0);
  return {
    observe(chunk) {
      if (head.length < magic.length)
        head = Buffer.concat([head, chunk.subarray(0, magic.length - head.length)]);
    },
    problem() {
      return head.toString('latin1') === magic
        ? undefined
        : `the dump does not start with ${magic}: not ${toolName} output`;
    },
  };
}
