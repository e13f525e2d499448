import { randomBytes } from 'node:crypto';
import * as keytar from '@napi-rs/keyring/keytar.js';
import { createSystemKeychain, keychainService } from '../../src/main/keychain.ts';

/**
 * Run by keychain.test.ts in a child process inside `dbus-run-session` with a fresh
 * gnome-keyring: stores, reads and deletes a token through the adapter, reads it once through
 * the raw keytar API (same service and account), and prints what it saw as one JSON line.
 */
const keychain = await createSystemKeychain();
const account = `roundtrip-${randomBytes(6).toString('hex')}`;
const token = `pyt_${randomBytes(16).toString('hex')}`;

await keychain.setPassword(account, token);
const read = await keychain.getPassword(account);
const raw = await keytar.getPassword(keychainService, account);
const deleted = await keychain.deletePassword(account);
const afterDelete = await keychain.getPassword(account);
const deletedAgain = await keychain.deletePassword(account);

console.log(
  JSON.stringify({
    token,
    readMatches: read === token,
    rawMatches: raw === token,
    deleted,
    afterDelete,
    deletedAgain,
  }),
);
