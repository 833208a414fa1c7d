/**
 * A one-line terminal progress bar with ETA and throughput. On a non-TTY (CI logs) it prints a
 * plain line at most every few seconds instead of redrawing.
 */

export interface ProgressBar {
  update(done: number, total: number, note?: string): void;
  /** ends the bar's line */
  done(): void;
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '--:--';
  const m = Math.floor(s / 60);
  const sec = Math.floor(s % 60);
  const h = Math.floor(m / 60);
  return h > 0
    ? `${h}:${String(m % 60).padStart(2, '0')}:${String(sec).padStart(2, '0')}`
    : `${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

export function progressBar(
  label: string,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressBar {
  const start = performance.now();
  let lastPrint = 0;
  const tty = stream.isTTY === true;
  let lastLine = '';
  return {
    update(done, total, note = '') {
      const now = performance.now();
      if (!tty && now - lastPrint < 5000 && done < total) return;
      if (tty && now - lastPrint < 100 && done < total) return;
      lastPrint = now;
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      const elapsed = (now - start) / 1000;
      const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : Infinity;
      const width = 24;
      const filled = Math.round(frac * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      lastLine = `${label} ${bar} ${(frac * 100).toFixed(1).padStart(5)}% ${done}/${total} elapsed ${formatSeconds(elapsed)} eta ${formatSeconds(eta)} ${note}`;
      if (tty) stream.write(`\r${lastLine.slice(0, (stream.columns ?? 160) - 1)}\x1b[K`);
      else stream.write(`${lastLine}\n`);
    },
    done() {
      // end the redrawn line on a terminal; a log already holds the periodic lines
      if (tty && lastLine !== '') stream.write('\n');
      lastLine = '';
    },
  };
}
