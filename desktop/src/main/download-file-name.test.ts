import { expect, it } from 'vitest';
import type { Manifest } from '@port-yard/shared';
import { downloadFileName } from './download-file-name.ts';

const id = '2026-01-01T03-00-00Z_abcdefghij';
const manifest = (overrides: Partial<Manifest> = {}): Manifest =>
  ({
    artifactId: id,
    target: 'shop',
    database: 'sales',
    dataObject: `${id}.sql.zst`,
    dumpFormat: 'sql',
    compression: { algorithm: 'zstd' },
    encryption: null,
    ...overrides,
  }) as Manifest;

it('names the file after target, database and artifact, with the stored or the plain extension', () => {
  expect(downloadFileName(manifest(), false)).toBe(`shop_sales_${id}.sql.zst`);
  expect(downloadFileName(manifest(), true)).toBe(`shop_sales_${id}.sql`);
  const encrypted = manifest({ dataObject: `${id}.pgdump.gz.age`, dumpFormat: 'pg-custom' });
  expect(downloadFileName(encrypted, false)).toBe(`shop_sales_${id}.pgdump.gz.age`);
  expect(downloadFileName(encrypted, true)).toBe(`shop_sales_${id}.pgdump`);
});

it('rebuilds the extension when the data object is named otherwise', () => {
  const odd = manifest({ dataObject: 'elsewhere/x.bin', compression: { algorithm: 'gzip' } });
  expect(downloadFileName(odd, false)).toBe(`shop_sales_${id}.sql.gz`);
});

it('keeps untrusted names to plain file-name characters', () => {
  const hostile = manifest({ target: '../../etc', database: 'a/b\\c "d"\n' });
  expect(downloadFileName(hostile, false)).toBe(`__.._etc_a_b_c__d___${id}.sql.zst`);
  expect(downloadFileName(manifest({ database: 'kundenstämme' }), false)).toBe(
    `shop_kundenstämme_${id}.sql.zst`,
  );
});
