import { spawn, execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'ldapts';
import { freePort } from '../harness/free-port.ts';
import { people, seedLdif, suffix, users } from './ldap-seed.ts';

const run = promisify(execFile);

export interface TestSlapd {
  readonly url: string;
  /** The PEM certificate slapd offers for StartTLS (self-signed for 127.0.0.1 and localhost). */
  readonly certificate: string;
  stop(): Promise<void>;
}

/**
 * Debian's slapd (apt: slapd ldap-utils) in a temp folder on a loopback port: a slapd.conf with
 * one mdb database, seeded offline with slapadd, StartTLS with a self-signed certificate, users
 * may read the tree (groups) and bind. Runs in the foreground (`-d 0`) so it is stopped by its PID.
 */
export async function startSlapd(): Promise<TestSlapd> {
  const dir = await mkdtemp(join(tmpdir(), 'py-test-slapd-'));
  await mkdir(join(dir, 'data'));
  await run('openssl', [
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost'],
    ...['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
  ]);
  const conf = join(dir, 'slapd.conf');
  await writeFile(
    conf,
    `${['core', 'cosine', 'nis', 'inetorgperson'].map((name) => `include /etc/ldap/schema/${name}.schema`).join('\n')}
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile ${join(dir, 'slapd.pid')}
TLSCertificateFile ${join(dir, 'cert.pem')}
TLSCertificateKeyFile ${join(dir, 'key.pem')}
database mdb
maxsize 16777216
suffix "${suffix}"
rootdn "cn=admin,${suffix}"
directory ${join(dir, 'data')}
access to attrs=userPassword by self write by anonymous auth by * none
access to * by users read by * none
`,
  );
  await writeFile(join(dir, 'seed.ldif'), seedLdif());
  await run('slapadd', ['-f', conf, '-l', join(dir, 'seed.ldif')]);
  const url = `ldap://127.0.0.1:${await freePort()}`;
  const child = spawn('slapd', ['-f', conf, '-h', `${url}/`, '-d', '0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilServing(url, () => child.exitCode !== null);
  } catch (error) {
    await stop();
    throw new Error(`slapd did not start: ${(error as Error).message}\n${stderr}`);
  }
  return { url, certificate: await readFile(join(dir, 'cert.pem'), 'utf8'), stop };
}

/** alice can bind once slapd listens (which also proves the seed is in). */
async function waitUntilServing(url: string, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const client = new Client({ url, connectTimeout: 1000, timeout: 1000 });
    try {
      await client.bind(`uid=alice,${people}`, users.alice.password);
      return;
    } catch (error) {
      if (exited() || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }
}
