/** Command-line flags of `npm run bench`. */

export type BenchEngine = 'mariadb' | 'postgres';

export interface BenchFlags {
  /** Approximate raw dump sizes in MB (10^6 bytes), smallest first. */
  readonly sizesMb: readonly number[];
  readonly engines: readonly BenchEngine[];
  /** Keep the generated databases for the next run. */
  readonly keep: boolean;
  /** Print one JSON document on stdout (progress goes to stderr either way). */
  readonly json: boolean;
  /** Measured repetitions of each command (the median is reported); at least 2. */
  readonly reps: number;
  /** Also time `dump | gzip -6` (slow: about 25 MB/s). */
  readonly gzip: boolean;
  /** Also time Port-Yard backing up to S3 (s3rver), to the filesystem and S3 at once, and a plain upload. */
  readonly s3: boolean;
  /** Also time a backup in a running agent (`port-yard serve`, started through the API). */
  readonly agent: boolean;
  /** Also measure the agent API: download throughput, targets/artifacts query latency (no database). */
  readonly api: boolean;
  /** Only the API section: no process start, retention, databases or S3. */
  readonly onlyApi: boolean;
  /** Size of the artifact the download throughput is measured with, in MB (10^6 bytes). */
  readonly downloadMb: number;
}

export const usage = `usage: npm run bench -- [options]
  --size <MB>            approximate raw dump size (default 500)
  --sizes <MB,MB,...>    several sizes in one run (peak RSS should stay flat)
  --engines <list>       mariadb,postgres (default both)
  --reps <n>             measured rounds of each command, medians reported (default 7, min 2;
                         fewer rounds leave the speed checks to the machine's noise)
  --no-gzip              skip the slow dump | gzip -6 baseline
  --no-s3                skip the S3 rows (Port-Yard to s3rver, to fs + S3, S3 upload alone)
  --no-agent             skip the row of a backup in a running agent (port-yard serve)
  --no-api               skip the API section (download throughput, targets query latency)
  --only-api             run only the API section (needs no database)
  --download-mb <MB>     artifact size for the download throughput (default 500)
  --keep                 keep the bench databases for reruns
  --json                 machine-readable results on stdout`;

export class FlagError extends Error {}

function positiveNumber(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(value) || value <= 0) {
    throw new FlagError(
      `${flag} needs a positive number, got ${text === undefined ? 'nothing' : `"${text}"`}`,
    );
  }
  return value;
}

export function parseFlags(argv: readonly string[]): BenchFlags {
  let sizes: number[] = [500];
  let engines: BenchEngine[] = ['mariadb', 'postgres'];
  let keep = false;
  let json = false;
  let reps = 7;
  let gzip = true;
  let s3 = true;
  let agent = true;
  let api = true;
  let onlyApi = false;
  let downloadMb = 500;
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i]!;
    const [flag, inline] = raw.includes('=')
      ? [raw.slice(0, raw.indexOf('=')), raw.slice(raw.indexOf('=') + 1)]
      : [raw, undefined];
    const value = (): string | undefined => inline ?? argv[++i];
    switch (flag) {
      case '--size':
        sizes = [positiveNumber('--size', value())];
        break;
      case '--sizes': {
        const list = value();
        sizes = (list ?? '').split(',').map((part) => positiveNumber('--sizes', part));
        break;
      }
      case '--engines': {
        const list = (value() ?? '').split(',').map((part) => part.trim());
        engines = list.map((name) => {
          if (name === 'mariadb' || name === 'postgres') return name;
          throw new FlagError(`unknown engine "${name}" (mariadb, postgres)`);
        });
        break;
      }
      case '--reps':
        reps = Math.floor(positiveNumber('--reps', value()));
        if (reps < 2) throw new FlagError('--reps must be at least 2');
        break;
      case '--no-gzip':
        gzip = false;
        break;
      case '--no-s3':
        s3 = false;
        break;
      case '--no-agent':
        agent = false;
        break;
      case '--no-api':
        api = false;
        break;
      case '--only-api':
        onlyApi = true;
        break;
      case '--download-mb':
        downloadMb = positiveNumber('--download-mb', value());
        break;
      case '--keep':
        keep = true;
        break;
      case '--json':
        json = true;
        break;
      case '--help':
      case '-h':
        throw new FlagError(usage);
      default:
        throw new FlagError(`unknown flag ${raw}\n${usage}`);
    }
  }
  if (onlyApi && !api) throw new FlagError('--only-api and --no-api leave nothing to run');
  const sizesMb = [...new Set(sizes)].sort((a, b) => a - b);
  return {
    sizesMb,
    engines: [...new Set(engines)],
    keep,
    json,
    reps,
    gzip,
    s3,
    agent,
    api,
    onlyApi,
    downloadMb,
  };
}
