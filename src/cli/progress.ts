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

/** Creates a progress display on stderr for `total` units, `start` of them already done (a resumed run). */
export function createProgress(total: number, label: string, start = 0): Progress {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `${label} [{bar}] {value}/{total}{fields} | ETA {eta}`,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    const eta = new Eta(start, Date.now());
    let payload = { fields: '', eta: '…' };
    bar.start(total, start, payload);
    return {
      update: (done, fields, newTotal) => {
        if (newTotal !== undefined && newTotal !== total) bar.setTotal((total = newTotal));
        const shown = formatFields(fields);
        payload = { fields: shown ? ` | ${shown}` : '', eta: formatEta(eta.seconds(done, total, Date.now())) };
        bar.update(done, payload);
      },
      log: (line) => {
        bar.stop();
        process.stderr.write(line + '\n');
        bar.start(total, (bar as unknown as { value: number }).value, payload);
      },
      stop: () => bar.stop(),
    };
  }
  const eta = new Eta(start, Date.now());
  let lastPrint = 0;
  return {
    update(done, fields, newTotal) {
      if (newTotal !== undefined) total = newTotal;
      const now = Date.now();
      const remaining = eta.seconds(done, total, now);
      if (now - lastPrint < 5000 && done < total) return;
      lastPrint = now;
      const shown = formatFields(fields);
      process.stderr.write(`${label} ${done}/${total}${shown ? ` | ${shown}` : ''} | ETA ${formatEta(remaining)}\n`);
    },
    log: (line) => process.stderr.write(line + '\n'),
    stop: () => {},
  };
}

function formatFields(fields: Record<string, string>): string {
  return Object.entries(fields).map(([k, v]) => `${k} ${v}`).join(' | ');
}

/**
 * Time left from the average pace since the start: (time since the start) / (units done since)
 * × units left. Units done before the start (a resumed run's) do not count, and there is no
 * estimate until a unit is done; averaging over the whole run keeps one slow unit (an iteration
 * with a validation) from making the estimate jump.
 */
export class Eta {
  /** Starts counting at `done` units at time `at` (ms). */
  constructor(
    private readonly done: number,
    private readonly at: number,
  ) {}

  /** Seconds left after `done` of `total` units at time `now` (ms), or NaN when unknown yet. */
  seconds(done: number, total: number, now: number): number {
    if (done >= total) return 0;
    const units = done - this.done;
    return units > 0 ? (((now - this.at) / units) * (total - done)) / 1000 : NaN;
  }
}

/** `42s`, `2m05s`, `1h07m`; `…` while unknown. Rounded once, so never `2m60s`. */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '…';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
