import { readFileSync } from 'node:fs';

/**
 * Whether process `pid` is still running. On Linux from /proc: a zombie counts as gone (an orphan
 * is re-parented to PID 1, which on some machines never reaps it, so `kill(pid, 0)` alone would
 * never see it end). Elsewhere `kill(pid, 0)`, where EPERM means another user's live process.
 */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && process.platform === 'linux') return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
