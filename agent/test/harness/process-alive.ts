import { readFileSync } from 'node:fs';

/**
 * Alive unless gone from /proc or a zombie: an orphan is re-parented to PID 1, which on these
 * machines does not reap, so `kill(pid, 0)` alone would never see it end.
 */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
