/**
 * A one-line terminal progress bar with ETA and throughput. On a non-TTY (CI logs) it prints a
 * plain line at most every few seconds instead of redrawing.
 */

export interface ProgressBar {
  /**
   * @param done units done so far, of `total`
   * @param note text after the bar
   * @param etaSec the caller's own ETA in seconds (e.g. the training loop's, which excludes
   *   validation); default: extrapolated from this bar's elapsed time
   */
  update(done: number, total: number, note?: string, etaSec?: number): void;
  /** print a line above the bar (the bar is redrawn on the next update) */
  log(line: string): void;
  /** end the bar's line */
  done(): void;
}

export function formatSeconds(s: number): string {
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
  let lastPrint = -Infinity;
  const tty = stream.isTTY === true;
  let drawn = false;
  return {
    update(done, total, note = '', etaSec) {
      const now = performance.now();
      if (done < total && now - lastPrint < (tty ? 100 : 5000)) return;
      lastPrint = now;
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      const elapsed = (now - start) / 1000;
      const eta = etaSec ?? (frac > 0 ? (elapsed * (1 - frac)) / frac : Infinity);
      const width = 24;
      const filled = Math.round(frac * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      const line = `${label} ${bar} ${(frac * 100).toFixed(1).padStart(5)}% ${done}/${total} elapsed ${formatSeconds(elapsed)} eta ${formatSeconds(eta)} ${note}`;
      if (tty) {
        stream.write(`\r${line.slice(0, (stream.columns ?? 160) - 1)}\x1b[K`);
        drawn = true;
      } else stream.write(`${line}\n`);
    },
    log(line) {
      stream.write(tty && drawn ? `\r${line}\x1b[K\n` : `${line}\n`);
      drawn = false;
      lastPrint = -Infinity;
    },
    done() {
      if (tty && drawn) stream.write('\n');
      drawn = false;
    },
  };
}
