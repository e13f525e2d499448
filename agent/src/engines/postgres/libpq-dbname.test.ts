import { describe, expect, it } from 'vitest';
import { libpqDbname } from './libpq-dbname.ts';

describe('libpqDbname', () => {
  it('quotes a name so libpq reads it as a name, never as connection settings', () => {
    expect(libpqDbname('shop')).toBe("dbname='shop'");
    expect(libpqDbname('dbname=postgres host=elsewhere')).toBe("dbname='dbname=postgres host=elsewhere'");
    expect(libpqDbname("it's \\ a")).toBe("dbname='it\\'s \\\\ a'");
  });
});
