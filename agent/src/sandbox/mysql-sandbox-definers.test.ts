import { describe, expect, it } from 'vitest';
import { withDefiner } from './mysql-sandbox-definers.ts';

const to = `'py_sbx_0123456789'@'%'`;

describe('withDefiner', () => {
  it('replaces the DEFINER clause of each kind of SHOW CREATE statement', () => {
    expect(withDefiner('CREATE DEFINER=`root`@`localhost` PROCEDURE `p`() SELECT 1', to)).toBe(
      `CREATE DEFINER=${to} PROCEDURE \`p\`() SELECT 1`,
    );
    expect(
      withDefiner(
        'CREATE ALGORITHM=UNDEFINED DEFINER=`app`@`%` SQL SECURITY DEFINER VIEW `v` AS select 1',
        to,
      ),
    ).toBe(`CREATE ALGORITHM=UNDEFINED DEFINER=${to} SQL SECURITY DEFINER VIEW \`v\` AS select 1`);
    expect(
      withDefiner("CREATE DEFINER='a b'@'10.0.0.%' EVENT e ON SCHEDULE EVERY 1 DAY DO SELECT 1", to),
    ).toBe(`CREATE DEFINER=${to} EVENT e ON SCHEDULE EVERY 1 DAY DO SELECT 1`);
    expect(
      withDefiner('CREATE DEFINER=`we``ird`@`h` TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET @a = 1', to),
    ).toBe(`CREATE DEFINER=${to} TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET @a = 1`);
  });

  it('replaces a role as definer (no host), and CURRENT_USER', () => {
    expect(withDefiner('CREATE DEFINER=`etl_role` PROCEDURE `p`() SELECT 1', to)).toBe(
      `CREATE DEFINER=${to} PROCEDURE \`p\`() SELECT 1`,
    );
    expect(withDefiner('CREATE DEFINER=CURRENT_USER FUNCTION f() RETURNS INT RETURN 1', to)).toBe(
      `CREATE DEFINER=${to} FUNCTION f() RETURNS INT RETURN 1`,
    );
  });

  it('is not misled by names that contain VIEW, EVENT or DEFINER', () => {
    expect(
      withDefiner(
        'CREATE ALGORITHM=MERGE DEFINER=`etl-view`@`%` SQL SECURITY DEFINER VIEW `v` AS select 1',
        to,
      ),
    ).toBe(`CREATE ALGORITHM=MERGE DEFINER=${to} SQL SECURITY DEFINER VIEW \`v\` AS select 1`);
    expect(withDefiner('CREATE DEFINER=`root`@`event.corp` PROCEDURE `definer_view`() SELECT 1', to)).toBe(
      `CREATE DEFINER=${to} PROCEDURE \`definer_view\`() SELECT 1`,
    );
  });

  it('leaves the body alone, and refuses a statement without a DEFINER clause', () => {
    const body = "FUNCTION f() RETURNS TEXT RETURN 'DEFINER=`root`@`localhost`'";
    expect(withDefiner(`CREATE DEFINER=\`root\`@\`localhost\` ${body}`, to)).toBe(
      `CREATE DEFINER=${to} ${body}`,
    );
    expect(() => withDefiner(`CREATE ${body}`, to)).toThrow(/no DEFINER clause/);
  });
});
