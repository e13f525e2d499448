import { describe, expect, it } from 'vitest';
import { trailerCheck } from './completion-checks.ts';

/** What the check says of `dump`, fed in chunks of `size` bytes. */
function trailerProblem(marker: string, dump: string, size = 7): string | undefined {
  const check = trailerCheck(marker, 'the-tool');
  const bytes = Buffer.from(dump);
  for (let offset = 0; offset < bytes.length; offset += size)
    check.observe(bytes.subarray(offset, offset + size));
  return check.problem();
}

const mariadbEnd =
  'INSERT INTO `t` VALUES (1);\n/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;\n\n-- Dump completed on 2026-11-27 16:50:36\n';
const pgPlainEnd =
  'SET row_security = off;\n\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict JBCzaAojgdv8WquFxJEKhaUwRK\n\n';

describe('trailerCheck', () => {
  it.for([
    ['mariadb-dump, with the date', '-- Dump completed', mariadbEnd],
    ['mariadb-dump --skip-dump-date', '-- Dump completed', 'SET x=1;\n\n-- Dump completed\n'],
    ['pg_dump plain, with \\unrestrict', '-- PostgreSQL database dump complete', pgPlainEnd],
    [
      'pg_dump plain, before 15.14',
      '-- PostgreSQL database dump complete',
      'SET x;\n\n--\n-- PostgreSQL database dump complete\n--\n\n',
    ],
  ])('takes a whole dump: %s', ([, marker, dump]) => {
    expect(trailerProblem(marker!, dump!)).toBeUndefined();
  });

  it.for([
    ['cut before the trailer', 'INSERT INTO `t` VALUES (1);\nINSERT INTO `t` VALUES (2'],
    // A table of backup logs holds the marker (escaped, as mariadb-dump writes strings), and a
    // wrapper cut the dump after it: the marker in the last bytes is not the end of the dump.
    [
      'cut after data that holds the marker',
      "INSERT INTO `log` VALUES (1,'ok\\n-- Dump completed on 2026-11-20 03:00:01\\n');\nINSERT INTO `orders` VALUES (1,",
    ],
    ['a statement after the trailer', '-- x\n-- Dump completed on 2026-11-27\nINSERT INTO `t` VALUES (3);\n'],
  ])('refuses a dump %s', ([, dump]) => {
    expect(trailerProblem('-- Dump completed', dump!)).toMatch(/no completion trailer/);
  });
});
