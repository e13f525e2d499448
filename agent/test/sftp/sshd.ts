import type { ChildProcess } from 'node:child_process';
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { freePort } from '../harness/free-port.ts';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SftpStorageConfig } from '@port-yard/shared';

const run = promisify(execFile);
const sshdBinary = '/usr/sbin/sshd'; // sshd re-executes itself, so it must be an absolute path

/** A private OpenSSH server on a loopback port, for tests (Debian's `openssh-server`). */
export interface Sshd {
  readonly host: string;
  readonly port: number;
  /** The current user (root in CI), who logs in with `privateKeyFile`. */
  readonly user: string;
  readonly privateKeyFile: string;
  /** A second authorized key, encrypted with `passphrase`. */
  readonly encryptedKeyFile: string;
  readonly passphrase: string;
  /** `SHA256:...` as `ssh-keygen -lf` prints it: what the `hostKey` config key takes. */
  readonly hostKeyFingerprint: string;
  /** An empty folder to use as the storage `path` (also readable directly: same machine). */
  readonly root: string;
  /** A folder for the test's own files (more keys and the like); removed by `stop`. */
  readonly dir: string;
  /** Kills the sshd processes serving connections (not the listener): every session drops. */
  dropConnections(): Promise<number>;
  /** How many connections are being served now. */
  connectionCount(): Promise<number>;
  /** The separate `sftp-server` processes serving sessions now (with `sftpServer` set to it). */
  sftpServerPids(): Promise<number[]>;
  /** The last 10,000 lines sshd logged (LogLevel VERBOSE): who connected, who was accepted. */
  log(): readonly string[];
  stop(): Promise<void>;
}

export interface SshdOptions {
  /** Allow password logins (for a throwaway user, see `password-user.ts`); key-only otherwise. */
  readonly passwordAuthentication?: boolean;
  /** The SFTP server: sshd's own (default), or the separate `sftp-server` process Debian configures. */
  readonly sftpServer?: 'internal-sftp' | '/usr/lib/openssh/sftp-server';
}

/**
 * Starts `sshd -D -e` with a config, host key, client keys and authorized_keys of its own in a
 * temp folder, on a free loopback port, and waits until it listens. Resolves once it accepts
 * connections; rejects with sshd's stderr when it does not start.
 */
export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const dir = await mkdtemp(join(tmpdir(), 'py-sshd-'));
  const root = join(dir, 'root');
  await mkdir(root);
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 }); // the privilege separation folder
  const hostKey = join(dir, 'host_ed25519');
  const privateKeyFile = join(dir, 'client_ed25519');
  const encryptedKeyFile = join(dir, 'client_encrypted');
  const passphrase = 'correct horse battery staple';
  await generateKey(hostKey, '');
  await generateKey(privateKeyFile, '');
  await generateKey(encryptedKeyFile, passphrase);
  const authorizedKeys = join(dir, 'authorized_keys');
  const publicKeys = await Promise.all(
    [privateKeyFile, encryptedKeyFile].map((key) => readFile(`${key}.pub`)),
  );
  await writeFile(authorizedKeys, Buffer.concat(publicKeys), { mode: 0o600 });
  const { stdout } = await run('ssh-keygen', ['-lf', `${hostKey}.pub`]);
  const hostKeyFingerprint = stdout.split(' ')[1] ?? '';

  const configFile = join(dir, 'sshd_config');
  // A free port can be taken by another test file between probing and binding: try another.
  const start = async (attempt: number) => {
    const port = await freePort();
    await writeFile(configFile, await sshdConfig({ dir, port, hostKey, authorizedKeys, ...options }));
    const sshd = spawn(sshdBinary, ['-D', '-e', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      return { port, sshd, log: await untilListening(sshd, port) };
    } catch (error) {
      sshd.kill('SIGKILL');
      if (attempt < 3 && /bind|in use/i.test((error as Error).message)) return undefined;
      throw error;
    }
  };
  const { port, sshd, log } = (await start(1)) ?? (await start(2)) ?? (await start(3))!;
  const pid = sshd.pid ?? 0;

  const children = async (parent: number): Promise<number[]> => {
    const found = await run('pgrep', ['-P', String(parent)]).catch(() => ({ stdout: '' }));
    return found.stdout.split('\n').filter(Boolean).map(Number);
  };
  // A connection is served by a privileged monitor child and its unprivileged session child
  // (privilege separation): both hold the socket, so dropping it kills the whole branch.
  const dropConnections = async (): Promise<number> => {
    const connections = await children(pid);
    const sessions = (await Promise.all(connections.map(children))).flat();
    for (const child of [...sessions, ...connections]) process.kill(child, 'SIGKILL');
    return connections.length;
  };
  return {
    host: '127.0.0.1',
    port,
    user: userInfo().username,
    privateKeyFile,
    encryptedKeyFile,
    passphrase,
    hostKeyFingerprint,
    root,
    dir,
    dropConnections,
    connectionCount: async () => (await children(pid)).length,
    async sftpServerPids() {
      // Below the connection's process (root, no privilege separation) or its session child.
      const below = (await Promise.all((await children(pid)).map(children))).flat();
      const deeper = (await Promise.all(below.map(children))).flat();
      const named = await Promise.all(
        [...below, ...deeper].map(async (child) => {
          const name = await readFile(`/proc/${child}/comm`, 'utf8').catch(() => '');
          return name.trim() === 'sftp-server' ? [child] : [];
        }),
      );
      return named.flat();
    },
    log: () => [...log],
    async stop() {
      await dropConnections();
      const exited = new Promise((resolve) => sshd.once('exit', resolve));
      if (sshd.exitCode === null) sshd.kill('SIGTERM');
      await exited;
      log.length = 0;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function generateKey(file: string, passphrase: string): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'port-yard-test', '-f', file]);
}

interface ConfigInput extends SshdOptions {
  readonly dir: string;
  readonly port: number;
  readonly hostKey: string;
  readonly authorizedKeys: string;
}

async function sshdConfig(input: ConfigInput): Promise<string> {
  const { stderr } = await run('ssh', ['-V']);
  const [major = 0, minor = 0] = (/OpenSSH_(\d+)\.(\d+)/.exec(stderr) ?? []).slice(1).map(Number);
  return [
    `Port ${input.port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${input.hostKey}`,
    `PidFile ${join(input.dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${input.authorizedKeys}`,
    'PermitRootLogin prohibit-password', // tests run as root: keys only for root
    `PasswordAuthentication ${input.passwordAuthentication ? 'yes' : 'no'}`,
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'UseDNS no',
    `Subsystem sftp ${input.sftpServer ?? 'internal-sftp'}`,
    'LogLevel VERBOSE',
    // OpenSSH 9.8+ penalizes addresses that fail to log in: the wrong-key tests would lock us out.
    ...(major > 9 || (major === 9 && minor >= 8) ? ['PerSourcePenalties no'] : []),
    '',
  ].join('\n');
}

/** Resolves with the (live, bounded) stderr lines once sshd listens; rejects if it exits first. */
function untilListening(sshd: ChildProcess, port: number): Promise<string[]> {
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`sshd did not listen in 10 s:\n${log.join('\n')}`)),
      10_000,
    );
    sshd.stderr?.setEncoding('utf8').on('data', (text: string) => {
      log.push(...text.split('\n').filter(Boolean));
      log.splice(0, Math.max(0, log.length - 10_000)); // always read: a full pipe would stall sshd
      if (log.some((line) => line.includes(`Server listening on 127.0.0.1 port ${port}`))) {
        clearTimeout(timer);
        resolve(log);
      }
    });
    sshd.once('error', (error) => reject(error));
    sshd.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd exited with ${code}:\n${log.join('\n')}`));
    });
  });
}

/** A storage config that logs in to `sshd` with its key, pinned to its host key. */
export function sftpConfigFor(sshd: Sshd, overrides: Partial<SftpStorageConfig> = {}): SftpStorageConfig {
  return {
    type: 'sftp',
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    privateKeyFile: sshd.privateKeyFile,
    hostKey: sshd.hostKeyFingerprint,
    path: sshd.root,
    ...overrides,
  };
}
