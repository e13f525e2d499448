import type { MeasuredSize, MethodSummary } from './summarize.ts';

const fixed = (value: number | undefined, digits: number): string =>
  value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);

/** `a` relative to `b` (wall time), e.g. `1.23x`. */
const times = (a: MethodSummary | undefined, b: MethodSummary | undefined): string =>
  a && b ? `${fixed(a.wallS / b.wallS, 2)}x` : '-';

/** s3rver's CPU over a run, as seconds and the share of one core (s3rver is single-threaded). */
const serverLoad = (method: MethodSummary): string =>
  `s3rver CPU ${fixed(method.sideCpuS, 2)} s = ${fixed((method.sideCpuS / method.wallS) * 100, 0)}% of one core`;

/** Stored (compressed) MB per second of wall time. */
const storedRate = (method: MethodSummary): string => fixed((method.outputMb ?? NaN) / method.wallS, 0);

/** The lines under a size's table about the S3 rows: none when they did not run. */
export function s3Notes(size: MeasuredSize): string[] {
  const by = (id: string): MethodSummary | undefined => size.methods.find((method) => method.id === id);
  const fs = by('port-yard');
  const s3 = by('port-yard-s3');
  const both = by('port-yard-both');
  const upload = by('s3-upload');
  if (!s3) return [];
  const lines = [
    `S3 (s3rver on loopback): Port-Yard to S3 ${fixed(s3.wallS, 2)} s = ${times(s3, by('zstd'))} the zstd pipeline, ` +
      `${times(s3, fs)} Port-Yard to the filesystem; ${storedRate(s3)} MB/s stored; node peak RSS ` +
      `${fixed(s3.rootPeakRssMb, 1)} MB; ${serverLoad(s3)} (near 100%: s3rver is the bottleneck)`,
  ];
  if (upload) {
    const innerRate = (upload.outputMb ?? NaN) / (upload.innerS ?? NaN);
    lines.push(
      `S3 upload alone (SDK Upload of the ${fixed(upload.outputMb, 1)} MB zstd file, 16 MiB parts x 4, no dump): ` +
        `${fixed(upload.wallS, 2)} s from spawn = ${storedRate(upload)} MB/s; the upload itself ` +
        `${fixed(upload.innerS, 2)} s = ${fixed(innerRate, 0)} MB/s (the rest: Node start, SDK load); ` +
        `${serverLoad(upload)}. Port-Yard to S3 takes ${times(s3, upload)} the whole run, ` +
        `${fixed(fs ? s3.wallS - fs.wallS : undefined, 2)} s more than to the filesystem`,
    );
  }
  if (both) {
    lines.push(
      `fs + S3 in one run: ${fixed(both.wallS, 2)} s = ${times(both, fs)} filesystem only, ${times(both, s3)} ` +
        `S3 only; node peak RSS ${fixed(both.rootPeakRssMb, 1)} MB (filesystem only ${fixed(fs?.rootPeakRssMb, 1)} MB, ` +
        `S3 only ${fixed(s3.rootPeakRssMb, 1)} MB); ${serverLoad(both)}`,
    );
  }
  return lines;
}
