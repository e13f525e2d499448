import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import type { ConfigProblem } from './config-error.ts';
import { formatConfigErrors } from './format-config-errors.ts';
import { loadConfig } from './load-config.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'port-yard-yaml-syntax-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(text: string | Buffer): Promise<ConfigError> {
  const file = join(dir, 'port-yard.yaml');
  await writeFile(file, text);
  const error = await loadConfig(file, { env: {} }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

const secret = 'Hunter2-Zq9';

describe('YAML syntax errors', () => {
  it('never quote a secret of the file: a stray token after one extra }', async () => {
    const error = await failure(
      `version: 1\nstorages:\n  local: { type: filesystem, path: ./b }\ntargets:\n  m: { engine: mariadb, user: root }}\n    password: ${secret}\n`,
    );
    expect(formatConfigErrors(error)).not.toContain(secret);
    expect(error.message).not.toContain(secret);
    // One mistake, one line: the tokens after it are not each a problem of their own.
    expect(error.problems).toEqual<ConfigProblem[]>([
      expect.objectContaining({ path: '', line: 5, column: 37 }),
    ]);
  });

  it('never quote a secret of the file: a value starting with > or |', async () => {
    const error = await failure(`version: 1\ntargets:\n  m:\n    password: >${secret}\n`);
    expect(formatConfigErrors(error)).not.toContain(secret);
    expect(error.problems).toEqual([expect.objectContaining({ line: 4, column: 16 })]);
    expect(error.problems[0]?.message).toContain('quote');
  });

  it('stay a few lines for a binary file given as the config', async () => {
    // Pseudo-random bytes (a compressed artifact given by mistake), the same on every run.
    const binary = Buffer.alloc(1 << 20);
    let state = 12345;
    for (let index = 0; index < binary.length; index++) {
      state = (state * 1103515245 + 12345) >>> 0;
      binary[index] = state >>> 24;
    }
    const error = await failure(binary);
    expect(error.problems.length).toBeLessThanOrEqual(11);
    const printed = formatConfigErrors(error);
    expect(printed.length).toBeLessThan(2000);
    // Nothing of the file itself: no control characters reach the terminal.
    const controls = [...printed].filter((char) => (char < ' ' && char !== '\n') || char === '\ufffd');
    expect(controls).toEqual([]);
  });

  it('say in words that a config is one YAML document', async () => {
    const error = await failure('version: 1\n---\nversion: 1\n');
    expect(error.problems).toEqual([
      {
        path: '',
        line: 2,
        column: 1,
        message: 'YAML syntax: a second document (after ---): the config is one document',
      },
    ]);
  });
});
