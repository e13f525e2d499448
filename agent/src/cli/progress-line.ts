import type { RunProgress } from '@port-yard/shared';
import { formatBytes, formatElapsed } from './format.ts';

/**
 * One self-overwriting status line on a terminal (stderr), nothing when stderr is not a TTY:
 * logs and pipes stay clean.
 */
export function createProgressLine(stream: NodeJS.WriteStream = process.stderr): {
  update(progress: RunProgress): void;
  clear(): void;
} {
  let shown = false;
  return {
    update(progress) {
      if (!stream.isTTY) return;
      const total = progress.totalStoredBytes;
      const amount =
        total === undefined
          ? `${formatBytes(progress.rawBytes)} read  ${formatBytes(progress.storedBytes)} stored`
          : `${formatBytes(progress.storedBytes)} of ${formatBytes(total)}` +
            (total > 0 ? ` (${Math.min(100, Math.round((progress.storedBytes / total) * 100))}%)` : '');
      const eta =
        progress.etaSeconds === undefined ? '' : `  eta ${formatElapsed(progress.etaSeconds * 1000)}`;
      const line =
        `${progress.target}/${progress.database}  ${progress.phase}  ${amount}` +
        `  ${formatBytes(progress.bytesPerSecond)}/s  ${formatElapsed(progress.elapsedMs)}${eta}`;
      // A terminal that says it has 0 columns (some pseudo-terminals) gets the whole line.
      stream.write(`\r\u001b[2K${line.slice(0, (stream.columns || 121) - 1)}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\u001b[2K');
      shown = false;
    },
  };
}
