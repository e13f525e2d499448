import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A throwaway local account for password logins, with a folder it owns. */
export interface PasswordUser {
  readonly name: string;
  readonly password: string;
  /** A folder the user may write, to use as the storage `path`. */
  readonly root: string;
  remove(): Promise<void>;
}

/**
 * Creates a local user with a random name and password (useradd + chpasswd; needs root), so
 * password authentication is tested without touching any real account. `remove` deletes both
 * the user and its folder. Rejects when the tools or the rights are missing: callers skip then.
 */
export async function createPasswordUser(): Promise<PasswordUser> {
  const name = `pyt${randomBytes(4).toString('hex')}`;
  const password = randomBytes(18).toString('base64url');
  await run('useradd', ['--no-create-home', '--home-dir', '/nonexistent', '--shell', '/bin/sh', name]);
  const dir = await mkdtemp(join(tmpdir(), 'py-sftp-user-'));
  const remove = async (): Promise<void> => {
    await run('userdel', [name]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await setPassword(name, password);
    const [uid, gid] = await Promise.all(
      ['-u', '-g'].map(async (flag) => Number((await run('id', [flag, name])).stdout)),
    );
    await chmod(dir, 0o755); // mkdtemp made it 0700: the user must get through to its folder
    const root = join(dir, 'root');
    await mkdir(root);
    await chown(root, uid ?? -1, gid ?? -1);
    return { name, password, root, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

function setPassword(name: string, password: string): Promise<void> {
  return new Promise((resolve, reject) => {
    // Through stdin, never argv, where `ps` would show it.
    const child = execFile('chpasswd', (error) => (error ? reject(error) : resolve()));
    child.stdin?.end(`${name}:${password}\n`);
  });
}
