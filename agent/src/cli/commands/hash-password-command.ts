import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { UsageError } from '../cli-errors.ts';

/** Longer input is not a password: refuse it rather than hash a file piped by mistake. */
const maxSecretBytes = 4096;

export function registerHashPasswordCommand(program: Command): void {
  program
    .command('hash-password')
    .description(
      'read a password or API token from standard input (one line; prompted without echo on a terminal) and print its argon2id hash for auth.users[].passwordHash or auth.tokens[].tokenHash',
    )
    .action(async () => {
      const secret = process.stdin.isTTY ? await promptTwice() : await readPiped(process.stdin);
      if (secret === '') throw new UsageError('the password is empty: nothing to hash');
      const { hashSecret } = await import('../../auth/password-hash.ts');
      console.log(await hashSecret(secret));
    });
}

/**
 * Piped input: one line, its line ending trimmed. More than one line is refused (a secret with a
 * line break cannot be sent in a header or typed at the login form anyway).
 */
export async function readPiped(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > maxSecretBytes)
      throw new UsageError(`standard input is longer than ${maxSecretBytes} bytes: not a password`);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (/[\r\n]/.test(text))
    throw new UsageError('standard input holds more than one line: give the password alone on one line');
  return text;
}

/** On a terminal: asks twice on stderr, never echoing what is typed. */
async function promptTwice(): Promise<string> {
  const first = await promptHidden('password or token: ');
  if (first === '') return first;
  const second = await promptHidden('again: ');
  if (first !== second) throw new UsageError('the two entries differ: nothing hashed');
  return first;
}

function promptHidden(question: string): Promise<string> {
  let muted = false;
  // Everything readline echoes goes through here: the prompt is shown, the typed keys are not.
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const lines = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve, reject) => {
    let answered = false;
    lines.question(question, (answer) => {
      answered = true;
      process.stderr.write('\n');
      lines.close();
      resolve(answer);
    });
    muted = true;
    lines.on('SIGINT', () => {
      lines.close();
      process.stderr.write('\n');
      reject(new UsageError('cancelled'));
    });
    lines.on('close', () => {
      if (!answered) reject(new UsageError('no password given'));
    });
  });
}
