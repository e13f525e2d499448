import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { renameAlterDatabase } from './rename-alter-database.ts';

/** The dump's text as it reaches the tool when fed in chunks of `size` bytes. */
async function through(text: string, from: string, to: string, size: number): Promise<string> {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return (await buffer(Readable.from(chunks).pipe(renameAlterDatabase(from, to)))).toString();
}

const dump = (name: string): string =>
  [
    '-- MariaDB dump',
    'UNLOCK TABLES;',
    `ALTER DATABASE ${name} CHARACTER SET latin1 COLLATE latin1_swedish_ci ;`,
    '/*!50003 SET @saved_cs_client      = @@character_set_client */ ;',
    'CREATE DEFINER=`root`@`localhost` PROCEDURE `p`()',
    'select 1 ;;',
    `ALTER DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci ;`,
    '',
  ].join('\n');

describe('renameAlterDatabase', () => {
  it('renames the dumped database in its ALTER DATABASE lines, at every chunk boundary', async () => {
    const text = dump('`shop`');
    const expected = dump('`shop_copy`');
    for (let size = 1; size <= text.length; size++)
      expect(await through(text, 'shop', 'shop_copy', size), `chunks of ${size}`).toBe(expected);
  });

  it('quotes names as mariadb-dump does: backticks doubled, UTF-8', async () => {
    const text = dump('`a``b café`');
    for (const size of [3, 7, 64 * 1024])
      expect(await through(text, 'a`b café', 'neu', size)).toBe(dump('`neu`'));
  });

  it('leaves alone other databases, lines that only contain the statement, and everything else', async () => {
    const other = dump('`other`');
    expect(await through(other, 'shop', 'copy', 5)).toBe(other);
    const inside = [
      "INSERT INTO `t` VALUES (1,'ALTER DATABASE `shop` CHARACTER SET latin1 COLLATE latin1_bin ;');",
      ' ALTER DATABASE `shop` CHARACTER SET latin1 COLLATE latin1_bin ;',
      'ALTER DATABASE `shop` CHARACTER SET latin1 COLLATE latin1_bin ; DROP TABLE x;',
      'ALTER DATABASE `shopping` CHARACTER SET latin1 COLLATE latin1_bin ;',
      '',
    ].join('\n');
    for (const size of [1, 9, 1000]) expect(await through(inside, 'shop', 'copy', size)).toBe(inside);
  });

  it('renames a last line without a line break, and a first line', async () => {
    const text = 'ALTER DATABASE `shop` CHARACTER SET latin1 COLLATE latin1_bin ;';
    for (const size of [1, 4, 100])
      expect(await through(text, 'shop', 'x', size)).toBe(
        'ALTER DATABASE `x` CHARACTER SET latin1 COLLATE latin1_bin ;',
      );
  });

  it('passes a large dump through byte for byte', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024, 'INSERT INTO `t` VALUES (1);\n').toString();
    expect(await through(body, 'shop', 'copy', 65_536)).toBe(body);
  });
});
