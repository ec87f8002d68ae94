/**
 * @file Progress of long CLI runs on stderr. On a terminal: a live bar (cli-progress). When stderr
 * is a file or a pipe: plain lines, no carriage returns, at most one every `intervalMs` (plus the
 * first and the last), so a log of a long run shows it is alive. `--quiet` prints nothing.
 */
import cliProgress from 'cli-progress';

/** Reports progress of a run with a known budget of steps. */
export interface Progress {
  /** Step `value` of the budget is done; `detail` is a short free text (current λ, criterion…). */
  update(value: number, detail: string): void;
  /** The run is over (clears the bar; prints a last line when lines are used). */
  stop(): void;
}

/** Options of `makeProgress`. */
export interface ProgressOptions {
  /** Print nothing. */
  quiet?: boolean;
  /** Stream (default process.stderr); its `isTTY` chooses bar or lines. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Least time between two plain lines. Default 2000 ms. */
  intervalMs?: number;
  /** Clock (for tests). Default `Date.now`. */
  now?: () => number;
}

/**
 * A progress reporter for `total` steps labelled `label`.
 * @example
 * const p = makeProgress('tuning', 30, { quiet: false });
 * p.update(1, 'λ=0.1 criterion=3.2'); p.stop();
 */
export function makeProgress(label: string, total: number, opts: ProgressOptions = {}): Progress {
  if (opts.quiet) return { update: () => {}, stop: () => {} };
  const stream = opts.stream ?? process.stderr;
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} |{bar}| {value}/{total}  {detail}`, hideCursor: true, clearOnComplete: true, stream },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { detail: '' });
    return { update: (v, detail) => bar.update(Math.min(v, total), { detail }), stop: () => bar.stop() };
  }
  const interval = opts.intervalMs ?? 2000;
  const now = opts.now ?? Date.now;
  let last = -Infinity;
  let pending: string | null = null;
  const line = (v: number, detail: string) => `${label}: ${Math.min(v, total)}/${total} ${detail}\n`;
  return {
    update(v, detail) {
      const t = now();
      if (t - last >= interval) {
        stream.write(line(v, detail));
        last = t;
        pending = null;
      } else pending = line(v, detail);
    },
    stop() {
      if (pending !== null) stream.write(pending);
      pending = null;
    },
  };
}
