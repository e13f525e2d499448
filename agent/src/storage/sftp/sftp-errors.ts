import { PortYardError } from '@port-yard/shared';

/** SFTP v3 status codes (draft-ietf-secsh-filexfer-02, 7), as ssh2 puts them on `error.code`. */
const statusNames: Readonly<Record<number, string>> = {
  1: 'EOF',
  2: 'NO_SUCH_FILE',
  3: 'PERMISSION_DENIED',
  4: 'FAILURE',
  5: 'BAD_MESSAGE',
  6: 'NO_CONNECTION',
  7: 'CONNECTION_LOST',
  8: 'OP_UNSUPPORTED',
};

export const noSuchFile = 2;

/** Where a failing call ran, for messages: the storage and `sftp://user@host:port` (no secrets). */
export interface SftpPlace {
  readonly storageName: string;
  readonly server: string;
}

/** The SFTP status of a server reply, or undefined for anything else (a dropped connection). */
export function sftpStatusOf(error: unknown): number | undefined {
  if (!(error instanceof Error) || error instanceof PortYardError || !('code' in error)) return undefined;
  return typeof error.code === 'number' ? error.code : undefined;
}

export function isNoSuchFile(error: unknown): boolean {
  return sftpStatusOf(error) === noSuchFile;
}

/**
 * Classifies an SFTP error where it arises: STORAGE_FAILED naming the storage, what was attempted
 * on which remote path and the SFTP status, so an operator can act without a stack trace
 * (`storage "nas": cannot write "sftp://backup@nas:22/srv/x/.y.port-yard-tmp": SFTP status 4
 * FAILURE: Failure`). A reply without a status means the connection failed. PortYardErrors pass
 * through unchanged: they are classified already.
 */
export function sftpFailed(place: SftpPlace, attempt: string, path: string, error: unknown): PortYardError {
  if (error instanceof PortYardError) return error;
  const status = sftpStatusOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  const reason =
    status === undefined
      ? `connection failed: ${detail}`
      : `SFTP status ${status} ${statusNames[status] ?? 'UNKNOWN'}: ${detail}`;
  return new PortYardError(
    'STORAGE_FAILED',
    `storage "${place.storageName}": cannot ${attempt} "${remoteUrl(place.server, path)}": ${reason}`,
    {
      phase: 'store',
      cause: error,
    },
  );
}

/** `sftp://user@host:port` and a remote path: `/srv/x` stays absolute, `x` (home-relative) is `/~/x`. */
export function remoteUrl(server: string, path: string): string {
  return path.startsWith('/') ? `${server}${path}` : `${server}/~/${path}`;
}
