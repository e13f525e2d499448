import { readFile, stat } from 'node:fs/promises';
import { PortYardError, isPortYardError } from '@port-yard/shared';
import { runToolForOutput } from './spawn-tool.ts';

/**
 * What `<program> --version` prints, remembered per program file for the life of the process.
 *
 * Each backup asked its dump tool for its version: one more process start, which in the agent
 * (a process of 100+ MB, started with fork()) held the thread for 10-20 ms, and pg_dump's own
 * start took 40-90 ms of CPU beside the dump. The same file prints the same version, so the
 * answer is kept under the file's path, size, modification time and inode: an upgrade replaces
 * the file and is asked again. Only for the engines' own programs (`remember`), never for a
 * configured dumpCommand: a wrapper script stays the same file while the program it runs
 * changes. `compiledIn`: how the version line starts, where the program holds it as one string
 * (compiledInLine): then its file is read instead of started, where that finds the line.
 */
const remembered = new Map<string, Promise<string>>();
/** Keys of earlier files of a program are dropped once this many are kept (upgrades over a long run). */
const maxRemembered = 32;

export async function toolVersionText(
  program: string,
  remember: boolean,
  compiledIn?: string,
): Promise<string> {
  // (Only dump tools are asked: one that cannot say its version cannot be trusted to dump.)
  const start = (): Promise<string> =>
    runToolForOutput({ command: program, args: ['--version'] }).catch((error: unknown) => {
      if (!isPortYardError(error) || error.code !== 'INTERNAL') throw error;
      throw new PortYardError('DUMP_FAILED', `the dump tool cannot say its version: ${error.message}`, {
        phase: 'dump',
        stderrTail: error.stderrTail,
      });
    });
  if (!remember) return start();
  const ask = async (): Promise<string> =>
    (compiledIn === undefined ? undefined : await compiledInLine(program, compiledIn)) ?? start();
  const info = await stat(program).catch(() => undefined);
  if (!info) return ask();
  const key = [program, info.size, info.mtimeMs, info.ino].join('\0');
  let answer = remembered.get(key);
  if (!answer) {
    if (remembered.size >= maxRemembered) remembered.delete(remembered.keys().next().value!);
    answer = ask();
    remembered.set(key, answer);
    // A failed answer is not kept: the next backup asks again.
    answer.catch(() => remembered.delete(key));
  }
  return answer;
}

/** The largest program file searched for its version line; a larger one is started instead. */
const maxSearchedBytes = 64 * 1024 * 1024;
const elfMagic = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

/**
 * The version line a program prints from one string compiled into it, as PostgreSQL's tools do
 * (`puts("pg_dump (PostgreSQL) " PG_VERSION)`, with any distribution suffix in PG_VERSION), read
 * from its ELF file instead of starting it: `pg_dump --version` took 60-70 ms of CPU (loading
 * libpq and its TLS and Kerberos libraries) beside every CLI backup's dump; reading the file
 * takes about 1 ms. Only a NUL-terminated printable string that starts with `prefix`, found
 * exactly once (or always the same), counts; anything else (a script, two versions, no such
 * string) leaves it to the program.
 */
export async function compiledInLine(program: string, prefix: string): Promise<string | undefined> {
  const info = await stat(program).catch(() => undefined);
  if (!info?.isFile() || info.size > maxSearchedBytes) return undefined;
  const bytes = await readFile(program).catch(() => undefined);
  if (!bytes?.subarray(0, 4).equals(elfMagic)) return undefined;
  const lines = new Set<string>();
  for (let at = bytes.indexOf(prefix); at >= 0; at = bytes.indexOf(prefix, at + 1)) {
    const end = bytes.indexOf(0, at);
    const line = bytes.toString('latin1', at, end < 0 ? bytes.length : end);
    if (end < 0 || !/^[\x20-\x7e]+$/.test(line)) return undefined;
    lines.add(line);
  }
  return lines.size === 1 ? `${[...lines][0]}\n` : undefined;
}
