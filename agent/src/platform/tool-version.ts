import { stat } from 'node:fs/promises';
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
 * changes.
 */
const remembered = new Map<string, Promise<string>>();
/** Keys of earlier files of a program are dropped once this many are kept (upgrades over a long run). */
const maxRemembered = 32;

export async function toolVersionText(program: string, remember: boolean): Promise<string> {
  const ask = (): Promise<string> => runToolForOutput({ command: program, args: ['--version'] });
  if (!remember) return ask();
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
