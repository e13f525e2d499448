// Whether agent/dist/cli (made by `npm run build:agent`) may run instead of the sources: only while
// every file it was built from is unchanged (same size and mtime). A stale or missing bundle, or
// PORT_YARD_SOURCES=1, means the sources run, so an edit is never hidden by an old bundle.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The bundle's entry file, or undefined when the sources must run. */
export function freshBundle(outDir) {
  if (process.env.PORT_YARD_SOURCES === '1') return undefined;
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(join(outDir, 'inputs.json'), 'utf8'));
  } catch {
    return undefined;
  }
  for (const [path, size, mtimeMs] of stamp.inputs) {
    const info = statSync(join(outDir, path), { throwIfNoEntry: false });
    if (!info || info.size !== size || info.mtimeMs !== mtimeMs) return undefined;
  }
  return join(outDir, stamp.entry);
}
