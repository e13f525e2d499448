/**
 * Just enough of a Dockerfile reader for the deployment tests: instructions with their
 * continuation lines joined and comment lines dropped (as the builder does), grouped by stage.
 * Exec-form arguments (`["a", "b"]`) are read as JSON; `ENV a=b c=d` as pairs.
 */
export interface Instruction {
  readonly keyword: string;
  /** Everything after the keyword, continuation lines joined by a space. */
  readonly args: string;
  /** 1-based line of the keyword. */
  readonly line: number;
}

export interface Stage {
  /** The image it starts from, e.g. `node:24.21.0-trixie-slim`. */
  readonly from: string;
  readonly name?: string;
  readonly instructions: readonly Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: { from: string; name?: string; instructions: Instruction[] }[] = [];
  for (const instruction of instructionsOf(text)) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const as = words.findIndex((word) => word.toUpperCase() === 'AS');
      stages.push({ from: words[0] ?? '', name: as >= 0 ? words[as + 1] : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

function instructionsOf(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { parts: string[]; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && !pending)) return;
    const continues = line.endsWith('\\');
    const part = continues ? line.slice(0, -1).trim() : line;
    pending ??= { parts: [], line: index + 1 };
    pending.parts.push(part);
    if (continues) return;
    const joined = pending.parts.filter(Boolean).join(' ');
    const [keyword = '', ...rest] = joined.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: pending.line });
    pending = undefined;
  });
  return instructions;
}

export function instructions(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.keyword === keyword);
}

/** The last instruction of a kind (the one that counts for ENTRYPOINT, CMD, USER, HEALTHCHECK). */
export function lastInstruction(stage: Stage, keyword: string): Instruction | undefined {
  return instructions(stage, keyword).at(-1);
}

/** Exec-form arguments, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string'))
    throw new Error(`not an exec-form array of strings: ${args}`);
  return parsed;
}

/** The stage's ENV as a map (`ENV a=b c="d e"`; later values win). */
export function environmentOf(stage: Stage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { args } of instructions(stage, 'ENV')) {
    for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
      const value = match[2]!;
      env[match[1]!] = value.startsWith('"') ? (JSON.parse(value) as string) : value;
    }
  }
  return env;
}

/** The command of `HEALTHCHECK [options] CMD ...`, exec form, and its options. */
export function healthcheckOf(
  stage: Stage,
): { readonly options: Record<string, string>; readonly command: string[] } | undefined {
  const instruction = lastInstruction(stage, 'HEALTHCHECK');
  if (!instruction) return undefined;
  const at = instruction.args.indexOf('CMD ');
  if (at < 0) return undefined;
  const options = Object.fromEntries(
    [...instruction.args.slice(0, at).matchAll(/--([a-z-]+)=(\S+)/g)].map((match) => [match[1]!, match[2]!]),
  );
  const command = execForm(instruction.args.slice(at + 4).trim());
  return command ? { options, command } : undefined;
}
