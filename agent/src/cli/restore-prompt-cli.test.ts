import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, nodeBin, runCli, writeLocalConfig } from '../../test/harness/cli-process.ts';
import { mariadbExec, uniqueName } from '../../test/harness/sql.ts';

/** `port-yard restore` on a terminal, as a DBA answers (or abandons) its confirmation prompt. */

let dir: string;
let configFile: string;
const database = uniqueName('py_t_prompt');

const cli = (args: string[]) => runCli(['--config', configFile, ...args]);

/**
 * The CLI on a pseudo-terminal (util-linux `script`): once `prompt` shows, `keys` are typed.
 * Output is the terminal's (stdout and stderr together); the exit code is the CLI's.
 */
function onTerminal(args: string[], prompt: string, keys: string): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    const command = [nodeBin, cliBin, '--config', configFile, ...args].join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let typed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!typed && output.includes(prompt)) {
        typed = true;
        child.stdin.write(keys);
      }
    });
    child.on('close', (code) => {
      child.stdin.destroy();
      done({ code: code ?? 1, output });
    });
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'py-test-restore-prompt-'));
  configFile = join(dir, 'port-yard.yaml');
  await mariadbExec(
    `CREATE DATABASE ${database}; CREATE TABLE ${database}.t (id INT PRIMARY KEY); INSERT INTO ${database}.t VALUES (1), (2);`,
  );
  await writeLocalConfig(configFile, [
    '  shop: { engine: mariadb, host: 127.0.0.1, user: root, databases: [' +
      database +
      '], destinations: [local] }',
  ]);
});

afterAll(async () => {
  await mariadbExec(`DROP DATABASE IF EXISTS ${database};`);
  await rm(dir, { recursive: true, force: true });
});

describe('port-yard restore, asking for the database name', () => {
  it('Ctrl-C at the prompt: cancelled without a stack trace, exit 2, nothing changed', async () => {
    const backup = await cli(['backup', 'shop', '--json']);
    expect(backup.code).toBe(0);
    const id = (JSON.parse(backup.stdout) as { artifacts: { id: string }[] }).artifacts[0]!.id;
    await mariadbExec(`DELETE FROM ${database}.t WHERE id = 2`);

    const result = await onTerminal(['restore', id, '--no-safety-backup'], 'to replace it:', '\u0003');
    expect(result.output).toContain('nothing was changed');
    expect(result.output).not.toMatch(/^\s+at /m);
    expect(result.code).toBe(2);
    expect(await mariadbExec(`SELECT id FROM ${database}.t ORDER BY id`)).toEqual([{ id: 1 }]);
  });
});
