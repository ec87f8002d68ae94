/**
 * @file Output files of the CLI (plots, …): refused up front when they would overwrite an input
 * file (paths compared by realpath, so `./d.csv`, `../x/d.csv` and symlinks are caught), and written
 * atomically — a temporary file in the same directory, then `rename` — so a failed write never
 * leaves a truncated file and never touches the previous one. Write failures become one
 * `OutputError` line naming the file and the reason, without a stack trace.
 */
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidArgumentError } from '../core/errors.js';

// the atomic writer lives in data/atomic_write.ts (the nn checkpoints use it too)
export { OutputError, ioReason, writeFileAtomic } from '../data/atomic_write.js';

/** The canonical path of `p`: realpath of the longest existing prefix, plus the rest as given. */
export function canonicalPath(p: string): string {
  const abs = resolve(p);
  let head = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...tail);
    } catch {
      const parent = dirname(head);
      if (parent === head) return abs;
      tail.unshift(basename(head));
      head = parent;
    }
  }
}

/**
 * Throws `InvalidArgumentError` if an output path names the same file as an input path or as
 * another output. `outputs` and `inputs` map the flag to the path (undefined entries are skipped).
 */
export function checkOutputs(outputs: Record<string, string | undefined>, inputs: Record<string, string | undefined>): void {
  const seen = new Map<string, string>();
  for (const [flag, p] of Object.entries(inputs)) if (p !== undefined) seen.set(canonicalPath(p), flag);
  for (const [flag, p] of Object.entries(outputs)) {
    if (p === undefined) continue;
    if (p.trim() === '') throw new InvalidArgumentError(`${flag} needs a file name`);
    const c = canonicalPath(p);
    const other = seen.get(c);
    if (other !== undefined) {
      throw new InvalidArgumentError(`${flag} ${p} is the same file as ${other}; refusing to overwrite it (choose another output file)`);
    }
    seen.set(c, flag);
  }
}
