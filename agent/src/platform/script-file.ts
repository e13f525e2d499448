import { open } from 'node:fs/promises';

/**
 * Whether the program at `path` is a script (it starts with `#!`), or cannot be read to tell.
 * A script named like a dump tool (`pg_dump`, `mariadb-dump`) is a wrapper: its exit status is
 * the last command's, which need not be the dump tool's (`pg_dump "$@" | head -c 300000`).
 */
export async function isScriptOrUnknown(path: string): Promise<boolean> {
  let file;
  try {
    file = await open(path, 'r');
    const { buffer, bytesRead } = await file.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead < 2 || buffer.toString('latin1') === '#!';
  } catch {
    return true;
  } finally {
    await file?.close();
  }
}
