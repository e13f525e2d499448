import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { PortYardError } from '@port-yard/shared';
import type { DesktopAgent } from '../renderer/shell.ts';
import { checkAgentInput, checkToken, type AgentInput } from './agent-input.ts';
import type { Keychain } from './keychain.ts';
import { writeFileAtomic } from './write-file-atomic.ts';

/** One managed agent as stored in `agents.json`: no token, ever (that is in the keychain). */
export interface AgentEntry {
  readonly id: string;
  readonly name: string;
  readonly url: string;
}

export interface AgentRegistry {
  /** Every agent, in the order added, with whether the keychain holds a token for it. */
  list(): Promise<DesktopAgent[]>;
  /** Every agent as stored, in the order added, without asking the keychain. */
  entries(): Promise<readonly AgentEntry[]>;
  get(id: string): Promise<AgentEntry | undefined>;
  /**
   * Checks the input (nothing changes when it fails), stores the token if there is one, then the
   * entry. Without a token, `setToken` gives it one later (an OIDC sign-in).
   */
  add(input: AgentInput): Promise<DesktopAgent>;
  /** Deletes the keychain item, then the entry. NOT_FOUND for an unknown id. */
  remove(id: string): Promise<void>;
  token(id: string): Promise<string | undefined>;
  /** Replaces the token of a registered agent (an OIDC sign-in). */
  setToken(id: string, token: string): Promise<void>;
}

const fileSchema = z.strictObject({
  version: z.literal(1),
  agents: z.array(z.strictObject({ id: z.string().min(1), name: z.string(), url: z.string() })),
});

export interface AgentRegistryOptions {
  /** `<userData>/agents.json`. */
  readonly file: string;
  readonly keychain: Keychain;
  readonly newId?: () => string;
}

/**
 * The agents the desktop app manages, persisted as JSON (written atomically) in the app's data
 * folder, with their tokens in the OS keychain under the account = agent id. Changes run one at
 * a time, so two quick adds cannot lose one another.
 */
export function createAgentRegistry(options: AgentRegistryOptions): AgentRegistry {
  const { file, keychain } = options;
  const newId = options.newId ?? randomUUID;
  let entries: Promise<AgentEntry[]> | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  const load = (): Promise<AgentEntry[]> => {
    entries ??= readEntries(file).catch((error: unknown) => {
      entries = undefined;
      throw error;
    });
    return entries;
  };
  const save = async (next: AgentEntry[]): Promise<void> => {
    await mkdir(dirname(file), { recursive: true });
    await writeFileAtomic(file, `${JSON.stringify({ version: 1, agents: next }, null, 2)}\n`);
    entries = Promise.resolve(next);
  };
  const serial = <T>(change: () => Promise<T>): Promise<T> => {
    const run = queue.then(change, change);
    queue = run.catch(() => undefined);
    return run;
  };
  const find = async (id: string): Promise<AgentEntry> => {
    const entry = (await load()).find((candidate) => candidate.id === id);
    if (!entry) throw new PortYardError('NOT_FOUND', `no agent ${id}`);
    return entry;
  };
  // A keychain that cannot be read (an unlock prompt dismissed, no Secret Service) is no token:
  // it stopped the app from starting, and the agent could not even be removed.
  const describe = async (entry: AgentEntry): Promise<DesktopAgent> => ({
    id: entry.id,
    name: entry.name,
    url: entry.url,
    hasToken: (await keychain.getPassword(entry.id).catch(() => null)) !== null,
  });

  return {
    async list() {
      return Promise.all((await load()).map(describe));
    },
    entries: load,
    async get(id) {
      return (await load()).find((entry) => entry.id === id);
    },
    add: (input) =>
      serial(async () => {
        const checked = checkAgentInput(input);
        const current = await load();
        const same = current.find((entry) => entry.url === checked.url);
        if (same)
          throw new PortYardError('CONFLICT', `url: ${checked.url} is already registered as "${same.name}"`);
        const entry: AgentEntry = { id: newId(), name: checked.name, url: checked.url };
        if (checked.token !== undefined) await keychain.setPassword(entry.id, checked.token);
        try {
          await save([...current, entry]);
        } catch (error) {
          if (checked.token !== undefined) await keychain.deletePassword(entry.id).catch(() => undefined);
          throw error;
        }
        return { ...entry, hasToken: checked.token !== undefined };
      }),
    remove: (id) =>
      serial(async () => {
        await find(id);
        // The secret first: a failure after it leaves a visible entry without a token, never
        // an invisible orphaned token.
        await keychain.deletePassword(id);
        await save((await load()).filter((entry) => entry.id !== id));
      }),
    async token(id) {
      return (await keychain.getPassword(id)) ?? undefined;
    },
    setToken: (id, token) =>
      serial(async () => {
        await find(id);
        const problem = checkToken(token);
        if (problem) throw new PortYardError('INVALID_INPUT', `token: ${problem}`);
        await keychain.setPassword(id, token.trim());
      }),
  };
}

async function readEntries(file: string): Promise<AgentEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  let parsed: z.infer<typeof fileSchema>;
  try {
    parsed = fileSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new PortYardError(
      'CONFIG_INVALID',
      `${file} is not a valid agent list (fix or delete it): ${(error as Error).message}`,
      { cause: error },
    );
  }
  return parsed.agents;
}
