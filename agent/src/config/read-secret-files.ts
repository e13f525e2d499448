import { readFile } from 'node:fs/promises';
import { webhookUrlPattern } from '@port-yard/shared';
import { resolve } from 'node:path';
import { fileErrorReason } from '../platform/file-error-reason.ts';
import type { ConfigProblem } from './config-error.ts';
import { formatConfigPath } from './config-path.ts';
import type { YamlLocator } from './yaml-locator.ts';

/** `<key>File` holds the secret that would otherwise be given inline as `<key>`. */
export const secretFileKeys = {
  passwordFile: 'password',
  secretAccessKeyFile: 'secretAccessKey',
  passphraseFile: 'passphrase',
  clientSecretFile: 'clientSecret',
  urlFile: 'url',
  secretFile: 'secret',
} as const;

const labels: Record<keyof typeof secretFileKeys, string> = {
  passwordFile: 'password file',
  secretAccessKeyFile: 'secret access key file',
  passphraseFile: 'passphrase file',
  clientSecretFile: 'client secret file',
  urlFile: 'URL file',
  secretFile: 'secret file',
};

/** The sections whose entries may name secret files, and the keys they may use. */
const sections = ['targets', 'storages', 'testServers'] as const;
const entryFileKeys = ['passwordFile', 'secretAccessKeyFile', 'passphraseFile'] as const;

/** Notification channels (`notifications.channels.<name>`): webhook URLs, signing secrets, SMTP passwords. */
const channelFileKeys = ['urlFile', 'secretFile', 'passwordFile'] as const;

/** Single settings (not named entries) that may name a secret file: `auth.oidc.clientSecretFile`. */
const settingFiles = [{ section: 'auth', name: 'oidc', fileKey: 'clientSecretFile' }] as const;

export interface SecretValue {
  /** The path of the section holding the entry: `['targets']`, `['notifications', 'channels']`. */
  readonly section: readonly string[];
  readonly name: string;
  /** The inline key the secret goes to, e.g. `password`. */
  readonly key: string;
  readonly value: string;
}

export interface SecretFiles {
  readonly secrets: readonly SecretValue[];
  readonly problems: readonly ConfigProblem[];
}

/**
 * Reads every secret file named in the config (relative to `baseDir`, the config file's folder)
 * and trims the trailing newline(s) that editors and `echo` add, and a leading byte order mark.
 * Works on the unvalidated data so that a missing file is reported together with the schema's
 * problems; only string values are read. A secret itself never appears in a problem.
 */
export async function readSecretFiles(
  data: unknown,
  options: { readonly baseDir: string; readonly locator: YamlLocator },
): Promise<SecretFiles> {
  const secrets: SecretValue[] = [];
  const problems: ConfigProblem[] = [];
  for (const entry of secretFileEntries(data)) {
    const where = [...entry.section, entry.name, entry.fileKey];
    const problem = (message: string): ConfigProblem => ({
      path: formatConfigPath(where),
      ...options.locator.valueAt(where),
      message,
    });
    const absolute = resolve(options.baseDir, entry.file);
    try {
      // A leading byte order mark (Notepad's "UTF-8 with BOM") is not part of the secret.
      const value = (await readFile(absolute, 'utf8')).replace(/^\uFEFF/, '').replace(/[\r\n]+$/, '');
      if (value === '') problems.push(problem(`the ${labels[entry.fileKey]} ${absolute} is empty`));
      // The dump and restore tools read a database password from a file of one line each.
      else if (entry.fileKey === 'passwordFile' && /[\r\n]/.test(value))
        problems.push(problem(`the password file ${absolute} holds more than one line: a password has none`));
      // Checked as an inline url is (checkUrl in the schema), without showing it.
      else if (entry.fileKey === 'urlFile' && !webhookUrlPattern.test(value))
        problems.push(problem(`the URL file ${absolute} does not hold an http:// or https:// URL`));
      else
        secrets.push({ section: entry.section, name: entry.name, key: secretFileKeys[entry.fileKey], value });
    } catch (error) {
      problems.push(
        problem(`cannot read the ${labels[entry.fileKey]} ${absolute}: ${fileErrorReason(error)}`),
      );
    }
  }
  return { secrets, problems };
}

interface SecretFileEntry {
  readonly section: readonly string[];
  readonly name: string;
  readonly fileKey: keyof typeof secretFileKeys;
  readonly file: string;
}

function secretFileEntries(data: unknown): SecretFileEntry[] {
  if (!isRecord(data)) return [];
  const named = sections.flatMap((section) => {
    const entries = data[section];
    if (!isRecord(entries)) return [];
    return Object.entries(entries).flatMap(([name, entry]) =>
      entryFileKeys.flatMap((fileKey) => fileEntry([section], name, entry, fileKey)),
    );
  });
  const notifications = data['notifications'];
  const channels = isRecord(notifications) ? notifications['channels'] : undefined;
  const channelEntries = Object.entries(isRecord(channels) ? channels : {}).flatMap(([name, entry]) =>
    channelFileKeys.flatMap((fileKey) => fileEntry(['notifications', 'channels'], name, entry, fileKey)),
  );
  const settings = settingFiles.flatMap(({ section, name, fileKey }) => {
    const parent = data[section];
    return fileEntry([section], name, isRecord(parent) ? parent[name] : undefined, fileKey);
  });
  return [...named, ...channelEntries, ...settings];
}

/** `section.name.fileKey` when the entry gives it as a non-empty string. */
function fileEntry(
  section: readonly string[],
  name: string,
  entry: unknown,
  fileKey: keyof typeof secretFileKeys,
): SecretFileEntry[] {
  const file = isRecord(entry) ? entry[fileKey] : undefined;
  return typeof file === 'string' && file !== '' ? [{ section, name, fileKey, file }] : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
