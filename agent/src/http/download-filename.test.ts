import { describe, expect, it } from 'vitest';
import { fakeManifest } from '../../test/harness/fake-artifacts.ts';
import { contentDisposition, downloadNaming, plainExtension, storedExtension } from './download-filename.ts';

const id = '2026-11-26T03-28-22Z_iy5atpwg4r';

describe('download names', () => {
  it('names the file after target, database and artifact, with the stored extension', () => {
    const naming = downloadNaming(fakeManifest(id, Buffer.from('x')), false);
    expect(naming.fileName).toBe(`shop_sales_${id}.sql.zst`);
    expect(naming.contentType).toBe('application/zstd');
    expect(naming.contentDisposition).toBe(`attachment; filename="shop_sales_${id}.sql.zst"`);
  });

  it('drops the codec extensions when decoded', () => {
    expect(plainExtension('sql.zst.age')).toBe('sql');
    expect(plainExtension('pgdump.gz')).toBe('pgdump');
    const naming = downloadNaming(fakeManifest(id, Buffer.from('x')), true);
    expect(naming.fileName).toBe(`shop_sales_${id}.sql`);
    expect(naming.contentType).toBe('application/octet-stream');
  });

  it('rebuilds the extension when the data object is named otherwise', () => {
    const manifest = fakeManifest(id, Buffer.from('x'), {
      dataObject: '../../evil"name',
      dumpFormat: 'pg-custom',
      compression: { algorithm: 'gzip', level: 6 },
      encryption: { algorithm: 'age', recipients: ['age1x'] },
    });
    expect(storedExtension(manifest)).toBe('pgdump.gz.age');
    expect(downloadNaming(manifest, false).contentType).toBe('application/octet-stream');
  });

  it('keeps quotes, control characters and separators out of the header', () => {
    const header = contentDisposition('a"b\r\nSet-Cookie: x\\y/z\u0000.sql');
    expect(header).toBe(
      'attachment; filename="a_b__Set-Cookie__x_y_z_.sql"; filename*=UTF-8\'\'a_b__Set-Cookie%3A%20x_y_z_.sql',
    );
    expect(header).not.toMatch(/\p{Cc}/u);
  });

  it('gives non-ASCII names an ASCII fallback and an RFC 5987 filename*', () => {
    expect(contentDisposition('shop_kundenstämme_x.sql')).toBe(
      `attachment; filename="shop_kundenstamme_x.sql"; filename*=UTF-8''shop_kundenst%C3%A4mme_x.sql`,
    );
    expect(contentDisposition('shop_заказы.sql')).toBe(
      `attachment; filename="shop_______.sql"; filename*=UTF-8''shop_%D0%B7%D0%B0%D0%BA%D0%B0%D0%B7%D1%8B.sql`,
    );
    expect(contentDisposition("it's (1)*.sql")).toBe(
      `attachment; filename="it_s__1__.sql"; filename*=UTF-8''it_s%20%281%29%2A.sql`,
    );
    expect(contentDisposition('.hidden')).toMatch(/^attachment; filename="_hidden"/);
  });
});
