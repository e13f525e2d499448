import { describe, expect, it } from 'vitest';
import { hasGlobalProcess } from './mysql-replace.ts';

describe('hasGlobalProcess (a SHOW GRANTS line)', () => {
  it('finds PROCESS or ALL PRIVILEGES granted on *.*', () => {
    expect(hasGlobalProcess('GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION')).toBe(
      true,
    );
    expect(hasGlobalProcess('GRANT PROCESS ON *.* TO `py_role`')).toBe(true);
    expect(hasGlobalProcess('GRANT SELECT, PROCESS, RELOAD ON *.* TO `backup`@`%`')).toBe(true);
    expect(hasGlobalProcess('GRANT RELOAD, PROCESS ON *.* TO `backup`@`%`')).toBe(true);
  });

  it('ignores grants on one database, roles granted, and privileges that merely contain the word', () => {
    expect(hasGlobalProcess('GRANT ALL PRIVILEGES ON `shop`.* TO `app`@`%`')).toBe(false);
    expect(hasGlobalProcess("GRANT USAGE ON *.* TO `app`@`%` IDENTIFIED BY PASSWORD '*AB'")).toBe(false);
    expect(hasGlobalProcess('GRANT `py_role` TO `app`@`%`')).toBe(false);
    expect(hasGlobalProcess('GRANT SELECT ON `process`.* TO `app`@`%`')).toBe(false);
  });
});
