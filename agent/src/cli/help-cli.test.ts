import { describe, expect, it } from 'vitest';
import { runCli } from '../../test/harness/cli-process.ts';

/** `--help` as a first-time user reads it: exit codes, every option explained, true defaults. */
const commands = [
  ['backup'],
  ['list'],
  ['restore'],
  ['verify'],
  ['sandbox', 'create'],
  ['sandbox', 'list'],
  ['sandbox', 'extend'],
  ['sandbox', 'destroy'],
  ['config', 'check'],
  ['retention', 'plan'],
  ['retention', 'apply'],
  ['retention', 'simulate'],
  ['notify', 'test'],
  ['serve'],
  ['hash-password'],
];

describe('port-yard --help', () => {
  it('lists the exit codes', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(
      /Exit codes \(every command\):\n {2}0 .*\n {2}1 .*\n {2}2 .*typo.*\n {2}3 .*partial/,
    );
  });

  it('explains every option of every command', async () => {
    const helps = await Promise.all(commands.map((command) => runCli([...command, '--help'])));
    for (const [index, help] of helps.entries()) {
      expect(help.code, commands[index]!.join(' ')).toBe(0);
      const options = help.stdout.split('Options:\n')[1]?.split('\n\n')[0] ?? '';
      // An option line is its flags, then its description on the same line.
      const bare = options
        .split('\n')
        .filter((line) => /^ {2}-/.test(line) && !/^ {2}\S.*\S {2,}\S/.test(line));
      expect(bare, commands[index]!.join(' ')).toEqual([]);
    }
  });

  it('states the default of serve --log-format as it applies, not as it applied to --help', async () => {
    const help = (await runCli(['serve', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('(default: text on a terminal, else json)');
    expect(help).not.toContain('(default: "json")');
  });
});
