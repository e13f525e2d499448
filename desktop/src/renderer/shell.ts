import type { AgentDescriptor } from './api/agent-client.ts';

/** One agent the desktop app knows (its token stays in the main process and the keychain). */
export interface DesktopAgent extends AgentDescriptor {
  readonly hasToken: boolean;
}

export interface DownloadProgress {
  readonly downloadId: string;
  readonly receivedBytes: number;
  readonly totalBytes: number;
  readonly state: 'running' | 'verifying' | 'done' | 'failed' | 'cancelled';
  readonly path?: string;
  readonly error?: string;
}

/**
 * What the desktop app's preload exposes as `window.portYard`: one validated IPC call per
 * capability. Absent in the web console.
 */
export interface DesktopBridge {
  readonly agents: {
    list(): Promise<DesktopAgent[]>;
    /** Without a token: an OIDC agent, signed in afterwards with `signInWithOidc`. */
    add(input: { name: string; url: string; token?: string }): Promise<DesktopAgent>;
    remove(agentId: string): Promise<void>;
    /** Rejects with code CANCELLED when `cancelOidcSignIn` (or a second sign-in) stopped it. */
    signInWithOidc(agentId: string): Promise<void>;
    /** Stops the agent's sign-in that waits for the browser, if any. */
    cancelOidcSignIn(agentId: string): Promise<void>;
  };
  readonly downloads: {
    start(input: {
      agentId: string;
      artifactId: string;
      decompress: boolean;
    }): Promise<{ downloadId: string } | null>;
    cancel(downloadId: string): Promise<void>;
    onProgress(listener: (progress: DownloadProgress) => void): () => void;
  };
}

declare global {
  interface Window {
    portYard?: DesktopBridge;
  }
}

/** The desktop bridge, or undefined in a browser. */
export const desktop: DesktopBridge | undefined = typeof window === 'undefined' ? undefined : window.portYard;

/** The agents to connect to: the desktop app's list, or the agent serving this page. */
export async function initialAgents(): Promise<AgentDescriptor[]> {
  if (desktop) return desktop.agents.list();
  return [{ id: 'local', name: location.host, url: location.origin }];
}
