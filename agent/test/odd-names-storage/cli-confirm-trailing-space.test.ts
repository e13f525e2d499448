import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, nodeBin, runCli } from '../harness/cli-process.ts';
import { createOdd2, dropOdd2, odd2Dir, odd2Prefix, values2 } from './odd2.ts';

/**
 * PostgreSQL allows a database name that ends in a space, and the name rule of 823375a accepts it
 * (only a leading space is refused). `port-yard restore <id>` on a terminal asks for the name to
 * be typed back, but trims what was typed (restore-command.ts, `.trim()`), so the exact name can
 * never match: the only way to restore over such a database is `--yes`. Same for any name ending
 * in Unicode white space that JavaScript's trim removes (NBSP, U+3000, ...), on MariaDB too.
 */
const prefix = odd2Prefix();
const name = `${prefix}trail `;
let dir: { dir: string; cleanup(): Promise<void> };

beforeAll(async () => {
  dir = await odd2Dir();
  await createOdd2('postgres', name, ['before']);
});
afterAll(async () => {
  await dropOdd2('postgres', prefix);
  await dir?.cleanup();
});

/** Runs the CLI on a pseudo-terminal (util-linux `script`), typing `answer` at the prompt. */
function cliOnTerminal(args: string[], answer: string): Promise<{ code: number | null; output: string }> {
  const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const command = [nodeBin, cliBin, ...args].map(quote).join(' ');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qefc', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let answered = false;
    const timer = setTimeout(() => child.kill('SIGTERM'), 90_000);
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      output += text;
      if (!answered && output.includes('to replace it: ')) {
        answered = true;
        child.stdin.write(`${answer}\r`);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, output });
    });
  });
}

describe('restore confirmation on a terminal', () => {
  it('accepts the exact name of a PostgreSQL database that ends in a space', async () => {
    const config = join(dir.dir, 'config.json');
    await writeFile(
      config,
      JSON.stringify({
        version: 1,
        storages: { local: { type: 'filesystem', path: join(dir.dir, 'backups') } },
        targets: {
          p: {
            engine: 'postgres',
            host: '127.0.0.1',
            port: 5432,
            user: 'postgres',
            databases: [name],
            destinations: ['local'],
            restore: { safetyBackup: false },
          },
        },
      }),
    );
    const backup = await runCli(['--config', config, 'backup', 'p', '--json'], { timeoutMs: 120_000 });
    expect(backup.code, backup.stderr).toBe(0);
    const [artifact] = (JSON.parse(backup.stdout) as { artifacts: { id: string }[] }).artifacts;
    await dropOdd2('postgres', name);
    await createOdd2('postgres', name, ['after']);

    // Typed exactly as the prompt shows it, trailing space included.
    const restore = await cliOnTerminal(['--config', config, 'restore', artifact!.id], name);
    // Before the fix: exit 2, `"py_odd2_…_trail" is not py_odd2_…_trail : nothing was changed`.
    expect(restore.code, restore.output).toBe(0);
    expect(await values2('postgres', name)).toEqual(['before']);
  }, 180_000);
});
