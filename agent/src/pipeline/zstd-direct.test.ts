import { describe, expect, it } from 'vitest';
import { parseZstdInputBytes } from './zstd-direct.ts';

/** zstd's summary line as each release prints it with -vv (fileio.c), wrapped in what surrounds it. */
const clear = `\r${' '.repeat(79)}\r`;

describe('parseZstdInputBytes', () => {
  it('reads the exact sizes of zstd 1.5 and later', () => {
    const stderr = `*** Zstandard CLI (64-bit) v1.5.4, by Yann Collet ***\nUsing stdin for input \n${clear}/*stdin*\\            : 21.41%   (502762373 B => 107664327 B, /*stdout*\\) \n/*stdin*\\            : Completed in 4.02 sec  (cpu load : 151%)\n`;
    expect(parseZstdInputBytes(stderr)).toBe(502762373);
  });

  it('reads the exact sizes of zstd 1.0 to 1.4 (Debian 11, Ubuntu 20.04)', () => {
    const stderr = `*** zstd command line interface 64-bits v1.4.8, by Yann Collet ***\n${clear}/*stdin*\\            : 21.07%   (502762373 => 105938722 bytes, /*stdout*\\) \n`;
    expect(parseZstdInputBytes(stderr)).toBe(502762373);
  });

  it('takes the last summary, and an empty input', () => {
    expect(parseZstdInputBytes('(     3 B =>     16 B, a) \n(     0 B =>     13 B, b) \n')).toBe(0);
  });

  it('never takes a scaled size (zstd without -vv) or a progress line for the exact one', () => {
    expect(
      parseZstdInputBytes('/*stdin*\\ : 21.41%   (  479 MiB =>  103 MiB, /*stdout*\\) \n'),
    ).toBeUndefined();
    expect(
      parseZstdInputBytes('/*stdin*\\ : 21.41%   (479.48 MiB => 102.68 MiB, /*stdout*\\) \n'),
    ).toBeUndefined();
    expect(parseZstdInputBytes('Read : 120 / 0 MB ==> 21%')).toBeUndefined();
    expect(parseZstdInputBytes('')).toBeUndefined();
  });
});
