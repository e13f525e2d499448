import { readFile } from 'node:fs/promises';
import type { ConnectConfig, SFTPWrapper } from 'ssh2';
import { Client } from 'ssh2';
import { PortYardError } from '@port-yard/shared';
import { trackChannel } from './sftp-call.ts';
import { sameFingerprint, sshFingerprint } from './sftp-host-key.ts';

/** Everything needed to open one SSH connection and its SFTP channel. */
export interface SftpEndpoint {
  readonly storageName: string;
  /** `sftp://user@host:port`, for messages. */
  readonly server: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password?: string | undefined;
  readonly privateKeyFile?: string | undefined;
  readonly passphrase?: string | undefined;
  /** The pinned `SHA256:...` fingerprint: any other host key is refused before authenticating. */
  readonly hostKey: string;
  /** TCP connect, key exchange and authentication together must finish within this. */
  readonly readyTimeoutMs: number;
  /** An idle connection is probed this often; three unanswered probes close it. */
  readonly keepaliveIntervalMs: number;
  /** One SFTP request unanswered this long drops the connection (see `AnswerDeadline`). */
  readonly requestTimeoutMs: number;
}

export interface SftpConnection {
  readonly sftp: SFTPWrapper;
  /** True once the connection or its SFTP channel is gone: callers reconnect. */
  readonly closed: boolean;
  /** Ends the connection politely; resolves when the socket is closed. */
  end(): Promise<void>;
}

/**
 * Opens an SSH connection and an SFTP channel on it. The host key is checked against the pinned
 * fingerprint during the key exchange, before any credential is sent; a mismatch rejects with both
 * fingerprints and never proceeds. Rejects STORAGE_FAILED with a message for each way it fails
 * (unusable key file, unreachable host, timeout, wrong host key, refused credentials).
 * `onClosed` runs once when the connection later drops or is ended, so the owner reconnects.
 */
export async function openSftpConnection(
  endpoint: SftpEndpoint,
  onClosed: () => void,
): Promise<SftpConnection> {
  const privateKey = await readPrivateKey(endpoint);
  const client = new Client();
  let presented: string | undefined;
  let closed = false;
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: PortYardError): void => {
      if (settled) return;
      settled = true;
      client.end();
      reject(error);
    };
    // Errors after `ready` (a keepalive timeout, a reset) also close the connection: the next call
    // sees `closed` and reconnects; the listener only keeps them from being uncaught.
    client.on('error', (error) => fail(connectFailed(endpoint, error, presented)));
    const markClosed = (): void => {
      if (!closed) onClosed();
      closed = true;
    };
    client.on('close', () => {
      markClosed();
      fail(connectFailed(endpoint, new Error('the server closed the connection'), presented));
    });
    // NAS firmwares often ask for the password through keyboard-interactive, not `password`.
    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) =>
      finish(prompts.map(() => endpoint.password ?? '')),
    );
    client.once('ready', () => {
      client.sftp((error, sftp) => {
        if (error) return fail(connectFailed(endpoint, error, presented, 'cannot start SFTP'));
        trackChannel(sftp, { timeoutMs: endpoint.requestTimeoutMs, giveUp: () => client.destroy() });
        // A dead SFTP channel is a dead connection to us: the next call opens a new one at once.
        sftp.on('close', () => {
          markClosed();
          client.end();
        });
        settled = true;
        resolve({
          sftp,
          get closed() {
            return closed;
          },
          end: () => endClient(client, () => closed),
        });
      });
    });
    const config: ConnectConfig = {
      host: endpoint.host,
      port: endpoint.port,
      username: endpoint.user,
      password: endpoint.password,
      tryKeyboard: endpoint.password !== undefined,
      privateKey,
      passphrase: endpoint.passphrase,
      readyTimeout: endpoint.readyTimeoutMs,
      keepaliveInterval: endpoint.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => {
        presented = sshFingerprint(key);
        return sameFingerprint(endpoint.hostKey, presented);
      },
    };
    try {
      client.connect(config);
      // Each handshake step and SFTP call waits for its reply: Nagle's delay would add ~40 ms to each.
      client.setNoDelay(true);
    } catch (error) {
      // ssh2 parses the key synchronously: a wrong or missing passphrase lands here.
      fail(failed(endpoint, `cannot use the private key "${endpoint.privateKeyFile}"`, error));
    }
  });
}

async function readPrivateKey(endpoint: SftpEndpoint): Promise<Buffer | undefined> {
  if (endpoint.privateKeyFile === undefined) return undefined;
  try {
    return await readFile(endpoint.privateKeyFile);
  } catch (error) {
    throw failed(endpoint, `cannot read the private key file "${endpoint.privateKeyFile}"`, error);
  }
}

function connectFailed(
  endpoint: SftpEndpoint,
  error: Error,
  presented: string | undefined,
  attempt = 'cannot connect',
): PortYardError {
  if (presented !== undefined && !sameFingerprint(endpoint.hostKey, presented)) {
    const message =
      `the host key does not match: expected ${endpoint.hostKey}, the server presented ${presented}; ` +
      'refusing to connect (if the server key changed on purpose, update hostKey)';
    return failed(endpoint, message, error);
  }
  const level = (error as { level?: string }).level;
  if (level === 'client-authentication') {
    const methods = [endpoint.privateKeyFile && 'publickey', endpoint.password && 'password'].filter(Boolean);
    return failed(
      endpoint,
      `authentication failed for user "${endpoint.user}" (tried ${methods.join(', ')})`,
      error,
    );
  }
  if (level === 'client-timeout' && !error.message.includes('Keepalive')) {
    return failed(endpoint, `${attempt}: no SSH session within ${endpoint.readyTimeoutMs} ms`, error);
  }
  return failed(endpoint, attempt, error);
}

function failed(endpoint: SftpEndpoint, what: string, error: unknown): PortYardError {
  const detail = error instanceof Error ? error.message : String(error);
  return new PortYardError(
    'STORAGE_FAILED',
    `storage "${endpoint.storageName}" (${endpoint.server}): ${what}: ${detail}`,
    {
      phase: 'store',
      cause: error,
    },
  );
}

/** `end` asks the server to close; a server that never does is cut off after a grace period. */
function endClient(client: Client, isClosed: () => boolean): Promise<void> {
  if (isClosed()) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => client.destroy(), 2_000);
    client.once('close', () => {
      clearTimeout(force);
      resolve();
    });
    client.end();
  });
}
