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

export function createLogger(options: {
  json: boolean;
  write?: (line: string) => void;
  clock?: () => Date;
}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const clock = options.clock ?? (() => new Date());
  const log =
    (level: string) =>
    (message: string, fields: LogFields = {}) => {
      const time = clock().toISOString();
      if (options.json) {
        write(JSON.stringify({ time, level, msg: message, ...fields }));
        return;
      }
      const extra = Object.entries(fields)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
        .join(' ');
      write(`${time} ${level.toUpperCase().padEnd(5)} ${message}${extra ? `  ${extra}` : ''}`);
    };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** A logger that drops everything (tests, library use). */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
