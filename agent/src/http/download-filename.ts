import type { Manifest } from '@port-yard/shared';

/**
 * What a downloaded artifact is called and declared as. Target and database names come from a
 * manifest read from storage, so they are treated as untrusted text: the header value must never
 * carry quotes, control characters or path separators (header or path injection in the browser).
 */
export interface DownloadNaming {
  readonly fileName: string;
  readonly contentType: string;
  readonly contentDisposition: string;
}

/** `.sql.zst`, `.pgdump.gz.age`, ...: the data object's name after the artifact id. */
export function storedExtension(manifest: Manifest): string {
  const prefix = `${manifest.artifactId}.`;
  const fromName = manifest.dataObject.startsWith(prefix) ? manifest.dataObject.slice(prefix.length) : '';
  if (/^[a-z0-9]+(\.[a-z0-9]+)*$/.test(fromName)) return fromName;
  // A data object named otherwise: rebuild the extension from the manifest's facts.
  const base = manifest.dumpFormat === 'pg-custom' ? 'pgdump' : 'sql';
  const compression = { zstd: '.zst', gzip: '.gz', none: '' }[manifest.compression.algorithm];
  return `${base}${compression}${manifest.encryption ? '.age' : ''}`;
}

/** The extension once decrypted and decompressed: `.sql.zst.age` → `sql`. */
export function plainExtension(extension: string): string {
  return extension.replace(/\.age$/, '').replace(/\.(zst|gz)$/, '');
}

export function downloadNaming(manifest: Manifest, decoded: boolean): DownloadNaming {
  const stored = storedExtension(manifest);
  const extension = decoded ? plainExtension(stored) : stored;
  const fileName = `${manifest.target}_${manifest.database}_${manifest.artifactId}.${extension}`;
  return {
    fileName,
    contentType: decoded ? 'application/octet-stream' : storedContentType(manifest),
    contentDisposition: contentDisposition(fileName),
  };
}

function storedContentType(manifest: Manifest): string {
  if (manifest.encryption) return 'application/octet-stream';
  if (manifest.compression.algorithm === 'zstd') return 'application/zstd';
  if (manifest.compression.algorithm === 'gzip') return 'application/gzip';
  return 'application/octet-stream';
}

/**
 * `attachment; filename="<ASCII>"`, plus RFC 5987 `filename*=UTF-8''...` when the name is not
 * plain ASCII (a database called `kundenstämme` or `заказы`): browsers prefer `filename*`, old
 * clients fall back to the ASCII form (accents dropped, other characters as `_`).
 */
export function contentDisposition(name: string): string {
  // Control characters, quotes, backslashes and slashes never belong in a file name.
  const clean = name.toWellFormed().replace(/[\p{Cc}"'\\/]/gu, '_');
  const ascii = clean
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '_');
  if (ascii === clean) return `attachment; filename="${ascii}"`;
  const encoded = encodeURIComponent(clean).replace(
    /['()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
