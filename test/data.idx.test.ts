/**
 * @file Tests of the IDX parser and loaders: every element type (big-endian), gzip and plain files,
 * `limit`/`scale`, each malformed-input error (truncated, wrong magic, unknown type, size mismatch,
 * absurd dims refused before allocation), the image/label pair loader, and Fashion-MNIST (its
 * missing-files error always; the real Debian files when `dataset-fashion-mnist` is installed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataFormatError, InvalidArgumentError } from '../src/core/errors.js';
import { FASHION_MNIST_DIR, loadFashionMnist, loadIdx, loadIdxPair, parseIdx } from '../src/data/idx.js';

/** Writes an IDX file: header then elements through `put` (big-endian). */
function idx(type: number, shape: number[], values: number[]): Uint8Array {
  const width = { 8: 1, 9: 1, 11: 2, 12: 4, 13: 4, 14: 8 }[type]!;
  const buf = new Uint8Array(4 + 4 * shape.length + width * values.length);
  const v = new DataView(buf.buffer);
  buf[2] = type;
  buf[3] = shape.length;
  shape.forEach((d, k) => v.setUint32(4 + 4 * k, d, false));
  const off = 4 + 4 * shape.length;
  values.forEach((x, i) => {
    const o = off + width * i;
    if (type === 8) v.setUint8(o, x);
    else if (type === 9) v.setInt8(o, x);
    else if (type === 11) v.setInt16(o, x, false);
    else if (type === 12) v.setInt32(o, x, false);
    else if (type === 13) v.setFloat32(o, x, false);
    else v.setFloat64(o, x, false);
  });
  return buf;
}

test('parseIdx: every element type, big-endian, row-major shape', () => {
  const cases: [number, string, number[]][] = [
    [0x08, 'ubyte', [0, 1, 255, 128, 7, 200]],
    [0x09, 'byte', [-128, -1, 0, 1, 127, 5]],
    [0x0b, 'short', [-32768, -300, 0, 300, 32767, 1]],
    [0x0c, 'int', [-2147483648, -70000, 0, 70000, 2147483647, 3]],
    [0x0d, 'float', [-1.5, 0.25, 0, 3, 1024.5, -7]],
    [0x0e, 'double', [Math.PI, -1e300, 0, 5e-324, 1 / 3, -2]],
  ];
  for (const [code, name, vals] of cases) {
    const r = parseIdx(idx(code, [2, 3], vals));
    assert.equal(r.type, name);
    assert.deepEqual(r.shape, [2, 3]);
    assert.ok(r.data instanceof Float64Array);
    assert.deepEqual(Array.from(r.data), vals, name);
  }
});

test('parseIdx: gzip is detected by its magic; scale and limit', () => {
  const raw = idx(0x08, [3, 2], [0, 51, 102, 153, 204, 255]);
  const gz = gzipSync(raw);
  assert.deepEqual(parseIdx(gz), parseIdx(raw));
  const r = parseIdx(gz, { scale: 1 / 255, limit: 2 });
  assert.deepEqual(r.shape, [2, 2]);
  assert.deepEqual(Array.from(r.data), [0, 0.2, 0.4, 0.6]);
  assert.deepEqual(parseIdx(raw, { limit: 10 }).shape, [3, 2]); // limit above n keeps all
  assert.deepEqual(parseIdx(raw, { limit: 0 }).shape, [0, 2]);
});

test('parseIdx: malformed input gives DataFormatError naming the source and the problem', () => {
  const good = idx(0x08, [2, 2], [1, 2, 3, 4]);
  const bad = (b: Uint8Array, re: RegExp): void => assert.throws(() => parseIdx(b, { sourceName: 'f.idx' }), (e: unknown) => e instanceof DataFormatError && /^f\.idx: /.test(e.message) && re.test(e.message));
  bad(Uint8Array.of(0, 0), /truncated IDX header/);
  bad(Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 1), /truncated IDX header .*3 dimensions need 16/);
  bad(Uint8Array.of(1, 2, 8, 1, 0, 0, 0, 0), /not an IDX file \(magic bytes 0x01 0x02/);
  bad(Uint8Array.of(0, 0, 0x0a, 1, 0, 0, 0, 0), /unknown IDX element type 0x0A/);
  bad(Uint8Array.of(0, 0, 8, 0), /0 dimensions/);
  bad(good.subarray(0, good.length - 1), /payload truncated/);
  bad(Uint8Array.of(...good, 9), /trailing bytes.*need 4 bytes, the file has 5/);
  bad(Uint8Array.of(0x1f, 0x8b, 1, 2, 3), /corrupt gzip/);
  // absurd dims (2^32-1)^3 doubles: refused by the size check, never allocated
  bad(Uint8Array.of(0, 0, 0x0e, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 1, 2, 3), /payload truncated.*need more than 3 bytes/);
  assert.throws(() => parseIdx(good, { scal: 2 } as never), /parseIdx\(\): unknown option 'scal' \(did you mean 'scale'\?\)/);
  assert.throws(() => parseIdx(good, { limit: -1 }), InvalidArgumentError);
  assert.throws(() => parseIdx(good, { scale: NaN }), InvalidArgumentError);
  assert.throws(() => parseIdx([0, 0] as never), /parseIdx\(\): bytes must be a Uint8Array/);
});

test('loadIdx / loadIdxPair: files on disk (gzip and plain), flattening, label checks, errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsdiff-idx-'));
  try {
    const pix = Array.from({ length: 3 * 2 * 2 }, (_, i) => i * 20);
    writeFileSync(join(dir, 'img.gz'), gzipSync(idx(0x08, [3, 2, 2], pix)));
    writeFileSync(join(dir, 'lab'), idx(0x08, [3], [4, 0, 9]));
    writeFileSync(join(dir, 'lab2'), idx(0x08, [2], [4, 0]));
    writeFileSync(join(dir, 'labf'), idx(0x0d, [3], [1, 2.5, 3]));
    assert.deepEqual(loadIdx(join(dir, 'lab')).shape, [3]);
    const { images, labels, imageShape } = loadIdxPair(join(dir, 'img.gz'), join(dir, 'lab'));
    assert.deepEqual(images.shape, [3, 4]);
    assert.deepEqual(imageShape, [2, 2]);
    assert.deepEqual(Array.from(images.data), pix.map((p) => p * (1 / 255))); // value × scale, as documented
    assert.deepEqual(labels, Int32Array.of(4, 0, 9));
    const lim = loadIdxPair(join(dir, 'img.gz'), join(dir, 'lab'), { limit: 2, scale: 1 });
    assert.deepEqual(lim.images.shape, [2, 4]);
    assert.equal(lim.images.data[7], 140);
    assert.throws(() => loadIdxPair(join(dir, 'img.gz'), join(dir, 'lab2')), /3 images but .*lab2 has 2 labels/);
    assert.throws(() => loadIdxPair(join(dir, 'img.gz'), join(dir, 'labf')), /labf: label 1 is 2.5, not an integer/);
    assert.throws(() => loadIdxPair(join(dir, 'img.gz'), join(dir, 'img.gz')), /labels must be 1-D/);
    assert.throws(() => loadIdx(join(dir, 'nope')), (e: unknown) => e instanceof DataFormatError && /cannot read .*nope.*ENOENT/.test(e.message));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadFashionMnist: finds the four files in dataDir; absent files name the Debian package and dataDir', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nsdiff-fmnist-'));
  try {
    assert.throws(
      () => loadFashionMnist({ dataDir: dir }),
      (e: unknown) => e instanceof DataFormatError && e.message.includes('apt-get install dataset-fashion-mnist') && e.message.includes('dataDir') && e.message.includes('train-images-idx3-ubyte.gz'),
    );
    const px = Array.from({ length: 2 * 784 }, (_, i) => i % 256);
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(idx(0x08, [2, 28, 28], px)));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), idx(0x08, [2], [9, 3])); // plain name accepted too
    const t = loadFashionMnist({ dataDir: dir, split: 'test' });
    assert.deepEqual(t.images.shape, [2, 784]);
    assert.deepEqual(t.labels, Int32Array.of(9, 3));
    assert.equal(t.classNames[t.labels[0]!], 'Ankle boot');
    assert.equal(t.images.data[255], 1);
    assert.throws(() => loadFashionMnist({ dataDir: dir, split: 'valid' as never }), /split must be 'train' or 'test'/);
    assert.throws(() => loadFashionMnist({ datadir: dir } as never), /did you mean 'dataDir'/);
    assert.throws(() => loadFashionMnist({ dataDir: dir, limit: 1.5 }), /loadFashionMnist\(\): option limit/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const installed = existsSync(join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz'));
test('loadFashionMnist: the real Debian files', { skip: installed ? false : `dataset-fashion-mnist is not installed (no ${FASHION_MNIST_DIR})` }, () => {
  const { images, labels } = loadFashionMnist({ split: 'test' });
  assert.deepEqual(images.shape, [10000, 784]);
  assert.equal(labels.length, 10000);
  const counts = new Array(10).fill(0);
  for (const l of labels) counts[l]++;
  assert.deepEqual(counts, new Array(10).fill(1000)); // the test split is balanced
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of images.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  assert.equal(lo, 0);
  assert.equal(hi, 1);
  assert.deepEqual(loadFashionMnist({ split: 'train', limit: 5 }).images.shape, [5, 784]);
});
