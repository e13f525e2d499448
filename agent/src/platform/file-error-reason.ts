/** Why a file could not be read or written, in words: `no such file`, not `ENOENT`. */
export function fileErrorReason(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EISDIR: 'is a directory',
    ENOTDIR: 'a folder on its path is a file',
  };
  return (code === undefined ? undefined : reasons[code]) ?? message ?? String(error);
}
