import { describe, expect, it } from 'vitest';
import { releaseSeries, versionWarnings } from './version-warnings.ts';

describe('releaseSeries', () => {
  it('is the major for PostgreSQL and major.minor for MariaDB and MySQL', () => {
    expect(releaseSeries('PostgreSQL', '15.20 (Debian 15.20-0+deb12u1)')).toBe('15');
    expect(releaseSeries('PostgreSQL', '9.6.24')).toBe('9');
    expect(releaseSeries('MariaDB', '10.11.19-MariaDB-0+deb12u1')).toBe('10.11');
    expect(releaseSeries('MySQL', '8.0.36')).toBe('8.0');
    expect(releaseSeries('MySQL', 'unknown')).toBeUndefined();
  });
});

describe('versionWarnings', () => {
  const maria = (version: string) => ({ flavor: 'MariaDB', version });
  it('says nothing within one release series', () => {
    expect(versionWarnings(maria('10.11.6-MariaDB'), maria('10.11.19-MariaDB'))).toEqual([]);
    expect(
      versionWarnings({ flavor: 'PostgreSQL', version: '15.2' }, { flavor: 'PostgreSQL', version: '15.20' }),
    ).toEqual([]);
  });
  it('warns when the dump comes from a newer series', () => {
    const [warning] = versionWarnings(maria('11.4.2-MariaDB'), maria('10.11.19-MariaDB'));
    expect(warning).toContain('newer server (MariaDB 11.4) than this one (10.11)');
  });
  it('notes an older dump', () => {
    const [warning] = versionWarnings(
      { flavor: 'PostgreSQL', version: '13.4' },
      { flavor: 'PostgreSQL', version: '16.1' },
    );
    expect(warning).toContain('PostgreSQL 13');
  });
  it('warns across flavors', () => {
    const [warning] = versionWarnings({ flavor: 'MySQL', version: '8.0.36' }, maria('10.11.19-MariaDB'));
    expect(warning).toContain('MySQL 8.0.36');
  });
  it('is silent when a version cannot be read', () => {
    expect(versionWarnings(maria('unknown'), maria('10.11.19'))).toEqual([]);
  });
});
