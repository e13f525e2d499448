import { z } from 'zod';
import { artifactIdPattern, PortYardError } from '@port-yard/shared';
import { channels, type IpcResult } from '../ipc/channels.ts';
import { originOf } from './app-pages.ts';
import type { AgentRegistry } from './agent-registry.ts';
import type { DownloadManager } from './download-manager.ts';

/** What a handler learns about its caller: Electron's IpcMainInvokeEvent, narrowed. */
export interface IpcInvokeEvent {
  readonly senderFrame: { readonly url: string } | null;
}

/** Electron's `ipcMain`, narrowed to what is used: tests pass a map of handlers instead. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
}

export interface IpcDeps {
  readonly ipc: IpcMainLike;
  /** Only frames of this origin (the app's own pages) may call. */
  readonly appOrigin: string;
  readonly agents: Pick<AgentRegistry, 'list' | 'add' | 'remove'>;
  readonly downloads: Pick<DownloadManager, 'start' | 'cancel'>;
  signInWithOidc(agentId: string): Promise<void>;
  cancelOidcSignIn(agentId: string): void;
  /** Before an agent is removed: ends the app's sign-in session on it (best effort). */
  endSession(agentId: string): Promise<void>;
  /** After the list or a token changed: the main process refreshes what it attaches to requests. */
  onAgentsChanged(): Promise<void>;
}

const id = z.string().regex(/^[\w-]{1,100}$/, 'must be an id');
const agentId = id.describe('agentId');

/** One capability: the exact arguments it takes, and what it does with them. */
function capability<Args extends z.ZodTuple>(
  args: Args,
  run: (...values: z.infer<Args>) => Promise<unknown>,
) {
  return { args, run: run as (...values: unknown[]) => Promise<unknown> };
}

/**
 * One validated handler per capability. Every call is checked twice before anything runs: the
 * sender must be a frame of the app's own origin, and the arguments must match exactly (types,
 * lengths, no extra keys or arguments). Results and errors travel as IpcResult values.
 */
export function registerIpcHandlers(deps: IpcDeps): void {
  const changed = async <T>(value: T): Promise<T> => {
    await deps.onAgentsChanged();
    return value;
  };
  const capabilities = {
    [channels.agentsList]: capability(z.tuple([]), () => deps.agents.list()),
    [channels.agentsAdd]: capability(
      z.tuple([
        z.strictObject({
          name: z.string().max(1000),
          url: z.string().max(2048),
          token: z.string().max(8192).optional(),
        }),
      ]),
      async (input) => changed(await deps.agents.add(input)),
    ),
    [channels.agentsRemove]: capability(z.tuple([agentId]), async (agent) => {
      await deps.endSession(agent);
      await deps.agents.remove(agent);
      // A sign-in still waiting for it ends with it, whichever window started it (its loopback
      // listener would otherwise wait 5 minutes for a browser whose token has nowhere to go).
      deps.cancelOidcSignIn(agent);
      return changed(undefined);
    }),
    [channels.agentsOidc]: capability(z.tuple([agentId]), async (agent) =>
      changed(await deps.signInWithOidc(agent)),
    ),
    [channels.agentsOidcCancel]: capability(z.tuple([agentId]), async (agent) => {
      deps.cancelOidcSignIn(agent);
    }),
    [channels.downloadsStart]: capability(
      z.tuple([
        z.strictObject({
          agentId,
          artifactId: z.string().regex(artifactIdPattern, 'must be an artifact id'),
          decompress: z.boolean(),
        }),
      ]),
      (input) => deps.downloads.start(input),
    ),
    [channels.downloadsCancel]: capability(z.tuple([id]), async (downloadId) => {
      deps.downloads.cancel(downloadId);
    }),
  };

  for (const [channel, { args, run }] of Object.entries(capabilities)) {
    deps.ipc.handle(channel, async (event, ...values): Promise<IpcResult<unknown>> => {
      const sender = event.senderFrame?.url;
      if (sender === undefined || originOf(sender) !== deps.appOrigin)
        return failure('AUTH_FAILED', `${channel}: refused a call from ${sender ?? 'an unknown frame'}`);
      const parsed = args.safeParse(values);
      if (!parsed.success) return failure('INVALID_INPUT', `${channel}: ${describeIssues(parsed.error)}`);
      try {
        return { ok: true, value: await run(...(parsed.data as unknown[])) };
      } catch (error) {
        if (error instanceof PortYardError) return failure(error.code, error.message);
        return failure('INTERNAL', `${channel}: ${(error as Error).message}`);
      }
    });
  }
}

function failure(code: string, message: string): IpcResult<never> {
  return { ok: false, error: { code, message } };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? `argument ${issue.path.join('.')}` : 'arguments';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}
