/**
 * @file Atomic file writes (Node-only; never reachable from the package root) (the one writer of every output and checkpoint): the bytes go to a
 * temporary file in the target's directory, optionally fsync'ed, then `rename`d over the target, so
 * a crash or `kill -9` at any moment leaves either the old file or the new one, never a truncated
 * file. Failures become one `OutputError` naming the file and the reason.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { NsdiffError } from '../core/errors.js';

/** A file that was computed but could not be written. */
export class OutputError extends NsdiffError {
  override name = 'OutputError';
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

let tmpCounter = 0;

/**
 * Writes `content` to `path` atomically (creating missing parent directories): the bytes go to a
 * temporary file next to `path`, which is then renamed over it. Throws `OutputError` naming `what`
 * and the path on any failure, and removes the temporary file. `opts.fsync` flushes the temporary
 * file to the disk before the rename (durable across power loss, not only process death).
 * @example
 * writeFileAtomic('out/result.json', JSON.stringify({ ok: true }), 'result');
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, what = 'output', opts: { fsync?: boolean } = {}): void {
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
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${Date.now().toString(36)}.${(tmpCounter++).toString(36)}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    if (opts.fsync) fsyncSync(fd);
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
