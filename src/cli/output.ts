/**
 * @file Output files of the CLI (plots, …): refused up front when they would overwrite an input
 * file (paths compared by realpath, so `./d.csv`, `../x/d.csv` and symlinks are caught), and written
 * atomically — a temporary file in the same directory, then `rename` — so a failed write never
 * leaves a truncated file and never touches the previous one. Write failures become one
 * `OutputError` line naming the file and the reason, without a stack trace.
 */
import { closeSync, mkdirSync, openSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InvalidArgumentError, NsdiffError } from '../core/errors.js';

/** A file the CLI computed but could not write. */
export class OutputError extends NsdiffError {
  override name = 'OutputError';
}

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

const REASONS: Record<string, string> = {
  EISDIR: 'it is a directory',
  ENOENT: 'the directory does not exist',
  ENOTDIR: 'a parent of it is a file, not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EROFS: 'the file system is read-only',
  EEXIST: 'a file is in the way of its directory',
};

/** A one-line reason for an I/O error (`no space left on the device`), without the errno prefix. */
export function ioReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && REASONS[e.code]) return `${REASONS[e.code]} (${e.code})`;
  const msg = e?.message ?? String(err);
  return msg.replace(/^[A-Z]+: /, '');
}

/**
 * Writes `content` to `path` atomically (creating missing parent directories): the bytes go to a
 * temporary file next to `path`, which is then renamed over it. Throws `OutputError` naming `what`
 * and the path on any failure, and removes the temporary file.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, what = 'output'): void {
  const target = resolve(path);
  try {
    if (statSync(target).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new OutputError(`cannot write the ${what} ${path}: ${ioReason(err)}`);
  }
  const dir = dirname(target);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new OutputError(`cannot write the ${what} ${path}: cannot create its directory ${dir}: ${ioReason(err)}`);
  }
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
  } catch (err) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* never created */
    }
    throw new OutputError(`cannot write the ${what} ${path}: ${ioReason(err)}`);
  }
}
