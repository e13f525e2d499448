import { pino } from 'pino';
import { prettyFactory } from 'pino-pretty';

/**
 * Structured log lines: JSON (one object per line, for containers and log shippers) or plain
 * text on a terminal. Callers pass facts as fields, never secrets.
 */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/**
 * pino underneath (fast, safe serialisation of odd values such as BigInt and cycles), writing
 * synchronously to `write` one line at a time (no trailing newline): a crash or `process.exit`
 * loses no line, and tests read the lines as they come. JSON lines are
 * `{"level","time","msg",...fields}` with an ISO `time`; text lines go through pino-pretty on one
 * line, coloured only when writing to a terminal.
 */
export function createLogger(options: {
  json: boolean;
  write?: (line: string) => void;
  clock?: () => Date;
}): Logger {
  // Lines to a reader that went away (`serve | tee` ended, a log shipper died) are lost, but the
  // agent goes on backing up: an unhandled EPIPE on stdout would end it.
  if (options.write === undefined && process.stdout.listenerCount('error') === 0)
    process.stdout.on('error', () => undefined);
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const clock = options.clock ?? (() => new Date());
  const format = options.json
    ? (json: string) => json
    : prettyFactory({
        colorize: options.write === undefined && process.stdout.isTTY === true,
        singleLine: true,
        translateTime: 'UTC:yyyy-mm-dd"T"HH:MM:ss.l"Z"',
      });
  const logger = pino(
    {
      base: null,
      // The time goes in with the fields (below), so a field named `time` replaces it, never doubles it.
      timestamp: false,
      messageKey: 'msg',
      formatters: { level: (label) => ({ level: label }) },
    },
    { write: (chunk: string) => write(format(chunk).replace(/\r?\n$/, '')) },
  );
  const log =
    (level: 'info' | 'warn' | 'error') =>
    (message: string, fields: LogFields = {}) =>
      logger[level]({ time: clock().toISOString(), ...withoutReserved(fields) }, message);
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** `level` and `msg` are the line's own keys: a field so named is kept under `field.<name>`. */
function withoutReserved(fields: LogFields): LogFields {
  if (!('level' in fields) && !('msg' in fields)) return fields;
  const { level, msg, ...rest } = fields;
  return { ...rest, 'field.level': level, 'field.msg': msg };
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
