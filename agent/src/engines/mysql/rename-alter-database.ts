import { Transform } from 'node:stream';
import { quoteMysqlIdentifier } from '../sql-quoting.ts';

/** Longer lines are not the ones this looks for (names are at most 64 characters). */
const MAX_LINE_BYTES = 1024;
const NEWLINE = 0x0a;
const STATEMENT = /^ALTER DATABASE `(?:[^`]|``)+` CHARACTER SET \w+ COLLATE \w+ ;+\r?$/;

/**
 * mariadb-dump and mysqldump write `ALTER DATABASE `<db>` CHARACTER SET … COLLATE … ;` before
 * and after each routine and trigger that was created under another default collation than the
 * database has now (a database whose character set was changed later), so that it is re-created
 * with the one it had. The name in those lines is the dumped database's: loaded under another
 * name, they changed the source database's default character set meanwhile, or failed where it
 * does not exist ("Can't create/write to file './<db>/db.opt'": a rebuilt server, a test server).
 *
 * This stream renames `from` to `to` in exactly those lines, which start a line and hold nothing
 * else. Everything else passes unchanged: rows never contain a raw line break (mariadb-dump
 * escapes it), so such a line can only come from the dump itself, or from a routine body that
 * alters the dumped database, which then alters the restored one, as its views do.
 */
export function renameAlterDatabase(from: string, to: string): Transform {
  const needle = Buffer.from(`ALTER DATABASE ${quoteMysqlIdentifier(from)} CHARACTER SET `);
  const renamed = Buffer.from(`ALTER DATABASE ${quoteMysqlIdentifier(to)} `);
  const oldPrefix = Buffer.from(`ALTER DATABASE ${quoteMysqlIdentifier(from)} `).length;
  // Bytes held back: a match may start in them. `atLineStart` tells whether they follow a break.
  let held: Buffer = Buffer.alloc(0);
  let atLineStart = true;

  /** Passes on what can no longer hold the start of a match; holds back the rest. */
  function scan(data: Buffer, final: boolean): Buffer[] {
    const out: Buffer[] = [];
    let from = 0;
    let search = 0;
    for (;;) {
      const at = data.indexOf(needle, search);
      if (at === -1) break;
      const startsLine = at === 0 ? atLineStart : data[at - 1] === NEWLINE;
      const end = data.indexOf(NEWLINE, at);
      if (startsLine && end === -1 && !final && data.length - at < MAX_LINE_BYTES) {
        // The line goes on in the next chunk: decide then.
        out.push(data.subarray(from, at));
        held = data.subarray(at);
        atLineStart = true;
        return out;
      }
      const lineEnd = end === -1 ? data.length : end;
      if (startsLine && STATEMENT.test(data.subarray(at, lineEnd).toString('latin1'))) {
        out.push(data.subarray(from, at), renamed, data.subarray(at + oldPrefix, lineEnd));
        from = lineEnd;
        search = lineEnd;
      } else {
        search = at + 1;
      }
    }
    const keep = final ? 0 : Math.min(needle.length - 1, data.length - from);
    const cut = data.length - keep;
    out.push(data.subarray(from, cut));
    held = data.subarray(cut);
    atLineStart = cut === 0 ? atLineStart : data[cut - 1] === NEWLINE;
    return out;
  }

  const push = (stream: Transform, parts: Buffer[]): void => {
    for (const part of parts) if (part.length > 0) stream.push(part);
  };

  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      push(this, scan(held.length > 0 ? Buffer.concat([held, chunk]) : chunk, false));
      done();
    },
    flush(done) {
      push(this, scan(held, true));
      done();
    },
  });
}
