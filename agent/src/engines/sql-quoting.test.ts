import { describe, expect, it } from 'vitest';
import { quoteMysqlIdentifier, quotePostgresIdentifier, quotePostgresLiteral } from './sql-quoting.ts';

describe('SQL quoting', () => {
  it('doubles the quote character inside names and literals', () => {
    expect(quoteMysqlIdentifier('we`ird')).toBe('`we``ird`');
    expect(quotePostgresIdentifier('we"ird')).toBe('"we""ird"');
    expect(quotePostgresLiteral("o'clock")).toBe("'o''clock'");
  });
});
