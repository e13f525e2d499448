import { PortYardError } from '@port-yard/shared';

/**
 * The keytar API (service, account): what `@napi-rs/keyring/keytar.js` exports, and what the
 * in-memory fake below implements. `getPassword` resolves null when nothing is stored;
 * `deletePassword` resolves false when there was nothing to delete.
 */
export interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

/** The app's secrets, one per account (an agent id), under one service name. */
export interface Keychain {
  getPassword(account: string): Promise<string | null>;
  setPassword(account: string, password: string): Promise<void>;
  deletePassword(account: string): Promise<boolean>;
}

export const keychainService = 'port-yard';

/**
 * Binds a keytar implementation to the service `port-yard`. Failures of the OS keychain (no
 * Secret Service on Linux, a locked keychain, a denied prompt) become CONNECTION_FAILED errors
 * that say which keychain and which operation; the secret never appears in a message.
 */
export function createKeychain(keytar: KeytarApi, service = keychainService): Keychain {
  const guarded =
    <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await call(...args);
      } catch (error) {
        throw new PortYardError(
          'CONNECTION_FAILED',
          `the OS keychain (${osKeychainName()}) could not ${operation}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    };
  return {
    getPassword: guarded('read a token', (account: string) => keytar.getPassword(service, account)),
    setPassword: guarded('store a token', (account: string, password: string) =>
      keytar.setPassword(service, account, password),
    ),
    deletePassword: guarded('delete a token', (account: string) => keytar.deletePassword(service, account)),
  };
}

/**
 * The OS keychain through `@napi-rs/keyring` (N-API, prebuilt, no rebuild per Electron ABI).
 * Loaded on first use so that importing this module never loads the native addon.
 */
export async function createSystemKeychain(service = keychainService): Promise<Keychain> {
  const keytar: KeytarApi = await import('@napi-rs/keyring/keytar.js');
  return createKeychain(keytar, service);
}

/** A keytar in memory, for unit tests. */
export function createMemoryKeytar(): KeytarApi & { readonly items: Map<string, string> } {
  const items = new Map<string, string>();
  const key = (service: string, account: string): string => `${service}\u0000${account}`;
  return {
    items,
    getPassword: async (service, account) => items.get(key(service, account)) ?? null,
    setPassword: async (service, account, password) => void items.set(key(service, account), password),
    deletePassword: async (service, account) => items.delete(key(service, account)),
  };
}

function osKeychainName(): string {
  if (process.platform === 'darwin') return 'macOS Keychain';
  if (process.platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service';
}
