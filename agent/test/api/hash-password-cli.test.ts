import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifySecret } from '../../src/auth/password-hash.ts';

/**
 * `port-yard hash-password` as a user runs it: the secret on standard input (never in argv),
 * the argon2id hash on stdout, ready for auth.users[].passwordHash or auth.tokens[].tokenHash.
 */
const repoRoot = resolve(import.meta.dirname, '../../..');
const bin = join(repoRoot, 'agent/bin/port-yard.js');
const node = join(repoRoot, 'node_modules/.bin/node');
/** util-linux script(1), to give the CLI a terminal. */
const hasScript = process.platform === 'linux' && spawnSync('script', ['--version']).status === 0;

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function hashPassword(stdin: string | Buffer): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(node, [bin, 'hash-password'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(stdin);
  });
}

describe('port-yard hash-password', () => {
  it('prints an argon2id hash of the line on stdin that verifies, and nothing else', async () => {
    const secret = 'correct horse battery staple ✓';
    const { code, stdout, stderr } = await hashPassword(`${secret}\n`);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^\$argon2id\$v=19\$[^\s]+\n$/);
    const hash = stdout.trim();
    expect(await verifySecret(hash, secret)).toBe(true);
    expect(await verifySecret(hash, `${secret}\n`)).toBe(false);
    expect(await verifySecret(hash, 'correct horse battery staple')).toBe(false);
    expect(stdout).not.toContain(secret);
  });

  it('trims one line ending (\\r\\n too), keeps every other character, and salts each hash', async () => {
    const secret = '  spaced\ttoken  ';
    const first = await hashPassword(`${secret}\r\n`);
    const second = await hashPassword(secret);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect(first.stdout).not.toBe(second.stdout);
    expect(await verifySecret(first.stdout.trim(), secret)).toBe(true);
    expect(await verifySecret(second.stdout.trim(), secret)).toBe(true);
  });

  it('refuses empty input with exit 2 and prints no hash', async () => {
    for (const input of ['', '\n']) {
      const { code, stdout, stderr } = await hashPassword(input);
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/empty/);
    }
  });

  it('refuses more than one line (exit 2) rather than guess which one is meant', async () => {
    const { code, stdout, stderr } = await hashPassword('first\nsecond\n');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/more than one line/);
    expect(stderr).not.toContain('first');
  });

  it('is listed in the help', () => {
    const help = execFileSync(node, [bin, '--help'], { encoding: 'utf8' });
    expect(help).toMatch(/hash-password/);
  });

  it.skipIf(!hasScript)('on a terminal: prompts on stderr, never echoes, asks twice', async () => {
    // script(1) gives the CLI a pseudo-terminal; its output is everything the terminal shows
    const secret = `tty-${Date.now()}`;
    const child = spawn('script', ['-qfec', `${node} ${bin} hash-password`, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    const waitFor = (text: string) =>
      new Promise<void>((done, fail) => {
        const timer = setTimeout(() => fail(new Error(`no "${text}" on the terminal: ${screen}`)), 20_000);
        const check = (): void => {
          if (!screen.includes(text)) return;
          clearTimeout(timer);
          child.stdout.off('data', check);
          done();
        };
        child.stdout.on('data', check);
        check();
      });
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (screen += chunk));
    const exited = new Promise<number | null>((done) => child.on('close', done));
    await waitFor('password or token: ');
    child.stdin.write(`${secret}\r`);
    await waitFor('again: ');
    child.stdin.write(`${secret}\r`);
    await waitFor('$argon2id$');
    child.stdin.end();
    expect(await exited).toBe(0);
    expect(screen).not.toContain(secret);
    const hash = /\$argon2id\$\S+/.exec(screen)![0];
    expect(await verifySecret(hash, secret)).toBe(true);
  });
});
