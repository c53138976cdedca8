/**
 * Progress display for long runs: a cli-progress bar with ETA on a terminal, and plain log
 * lines (at most one every few seconds) when output is not a terminal.
 */
import cliProgress from 'cli-progress';

/** A progress display for `total` units of work. */
export interface Progress {
  /** Reports `done` units (of `total`, when the total has changed since the start). */
  update(done: number, fields: Record<string, string>, total?: number): void;
  log(line: string): void;
  stop(): void;
}

/** Creates a progress display on stderr. */
export function createProgress(total: number, label: string): Progress {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `${label} [{bar}] {value}/{total}{fields} | ETA {eta_formatted}`,
        hideCursor: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { fields: '' });
    return {
      update: (done, fields, newTotal) => {
        if (newTotal !== undefined && newTotal !== total) bar.setTotal((total = newTotal));
        const shown = formatFields(fields);
        bar.update(done, { fields: shown ? ` | ${shown}` : '' });
      },
      log: (line) => {
        bar.stop();
        process.stderr.write(line + '\n');
        bar.start(total, (bar as unknown as { value: number }).value, { fields: '' });
      },
      stop: () => bar.stop(),
    };
  }
  const started = Date.now();
  let lastPrint = 0;
  return {
    update(done, fields, newTotal) {
      if (newTotal !== undefined) total = newTotal;
      const now = Date.now();
      if (now - lastPrint < 5000 && done < total) return;
      lastPrint = now;
      const eta = done > 0 ? ((now - started) / done) * (total - done) / 1000 : NaN;
      const shown = formatFields(fields);
      process.stderr.write(`${label} ${done}/${total}${shown ? ` | ${shown}` : ''} | ETA ${Number.isFinite(eta) ? `${Math.round(eta)}s` : '?'}\n`);
    },
    log: (line) => process.stderr.write(line + '\n'),
    stop: () => {},
  };
}

function formatFields(fields: Record<string, string>): string {
  return Object.entries(fields).map(([k, v]) => `${k} ${v}`).join(' | ');
}
