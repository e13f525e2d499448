import type { Manifest } from '@port-yard/shared';

/**
 * The name the save dialog suggests: `<target>_<database>_<artifact id>.<extension>`, the
 * extension of the stored object (`sql.zst`, `pgdump.gz.age`) or, decompressed, without the
 * compression and encryption suffixes. Target and database come from a manifest the agent
 * read from storage: anything that is not a plain file-name character becomes `_`.
 */
export function downloadFileName(manifest: Manifest, decompressed: boolean): string {
  const prefix = `${manifest.artifactId}.`;
  const fromObject = manifest.dataObject.startsWith(prefix) ? manifest.dataObject.slice(prefix.length) : '';
  const stored = /^[a-z0-9]+(\.[a-z0-9]+)*$/.test(fromObject) ? fromObject : fallbackExtension(manifest);
  const extension = decompressed ? stored.replace(/\.age$/, '').replace(/\.(zst|gz)$/, '') : stored;
  const safe = (text: string): string => text.replace(/[^\p{L}\p{N}._-]/gu, '_').replace(/^\.+/, '_');
  return `${safe(manifest.target)}_${safe(manifest.database)}_${manifest.artifactId}.${extension}`;
}

function fallbackExtension(manifest: Manifest): string {
  const base = manifest.dumpFormat === 'pg-custom' ? 'pgdump' : 'sql';
  const compression = { zstd: '.zst', gzip: '.gz', none: '' }[manifest.compression.algorithm] ?? '';
  return `${base}${compression}${manifest.encryption ? '.age' : ''}`;
}
