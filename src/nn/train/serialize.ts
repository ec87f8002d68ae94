/**
 * @file Exact serialisation of training trees (parameters, layer state, optimiser state): a tree
 * of tensors, numbers, strings, booleans and nulls becomes a JSON skeleton plus one float64
 * payload holding every tensor's values bit for bit. Two containers share it:
 *
 * - the binary container (checkpoints): `MAGIC (8 bytes) | u32 header length H | u32 0 |
 *   header JSON (H bytes, space-padded to a multiple of 8) | payload (float64, little-endian) |
 *   SHA-256 of everything before (32 bytes)`. The header records the payload length, so a
 *   truncated file is told apart from a corrupted one; both throw `CheckpointError`.
 * - the JSON container (saved models): the same skeleton, the payload as base64 and its SHA-256.
 *
 * Numbers in skeletons are written by JSON (shortest round-trip decimal, exact for every finite
 * double); NaN, ±Infinity and −0 are tagged (`{"$num": "NaN"}`) so they survive too.
 */
import { createHash } from 'node:crypto';
import { DataFormatError, InvalidArgumentError } from '../../core/errors.js';
import { concreteData, fromData, Tensor } from '../../core/tensor.js';

/** A checkpoint or model file that is truncated, corrupted, or not one of ours. */
export class CheckpointError extends DataFormatError {
  override name = 'CheckpointError';
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('nsdiff checkpoints assume a little-endian platform');
}

type Skeleton = null | boolean | number | string | Skeleton[] | { [k: string]: Skeleton };

/** A tree split into its JSON skeleton and its tensors' values. */
export interface EncodedTree {
  skeleton: Skeleton;
  buffers: Float64Array[];
}

/**
 * Splits `tree` into a JSON skeleton and the list of its tensors' values (concrete tensors only).
 * Keys starting with `$` are reserved.
 * @example
 * const { skeleton, buffers } = encodeTree({ w: tensor([1, 2]), count: 3 });
 * // skeleton = { w: { $tensor: 0, shape: [2] }, count: 3 }, buffers = [Float64Array [1, 2]]
 */
export function encodeTree(tree: unknown, buffers: Float64Array[] = [], path = ''): EncodedTree {
  const enc = (node: unknown, p: string): Skeleton => {
    if (node instanceof Tensor) {
      const data = concreteData(node, 'encodeTree()');
      buffers.push(data);
      return { $tensor: buffers.length - 1, shape: [...node.shape] };
    }
    if (node === null || typeof node === 'boolean' || typeof node === 'string') return node;
    if (typeof node === 'number') {
      if (Number.isNaN(node)) return { $num: 'NaN' };
      if (node === Infinity) return { $num: 'Infinity' };
      if (node === -Infinity) return { $num: '-Infinity' };
      if (Object.is(node, -0)) return { $num: '-0' };
      return node;
    }
    if (node === undefined) return { $undefined: true };
    if (Array.isArray(node)) return node.map((n, i) => enc(n, `${p}[${i}]`));
    if (typeof node === 'object' && Object.getPrototypeOf(node) === Object.prototype) {
      const out: Record<string, Skeleton> = {};
      for (const [k, v] of Object.entries(node)) {
        if (k.startsWith('$')) throw new InvalidArgumentError(`encodeTree(): key ${p}.${k} starts with '$', which is reserved`);
        out[k] = enc(v, `${p}.${k}`);
      }
      return out;
    }
    throw new InvalidArgumentError(`encodeTree(): the leaf at ${p || '(root)'} is ${typeof node}; only tensors, numbers, strings, booleans, null, arrays and plain objects are serialisable`);
  };
  return { skeleton: enc(tree, path), buffers };
}

/**
 * Rebuilds a tree from {@link encodeTree}'s skeleton and buffers (the tensors get fresh copies
 * only when `copy` is set; by default they view the buffers).
 * @example
 * const e = encodeTree({ w: tensor([1, 2]) });
 * decodeTree(e.skeleton, e.buffers).w; // tensor([1, 2])
 */
export function decodeTree(skeleton: unknown, buffers: readonly Float64Array[], where = 'decodeTree()'): unknown {
  const dec = (node: unknown): unknown => {
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) return node.map(dec);
    const o = node as Record<string, unknown>;
    if ('$tensor' in o) {
      const i = o.$tensor as number;
      const shape = o.shape as number[];
      const data = buffers[i];
      if (!data || !Array.isArray(shape)) throw new CheckpointError(`${where}: tensor reference ${String(i)} is invalid`);
      const size = shape.reduce((a, b) => a * b, 1);
      if (size !== data.length) throw new CheckpointError(`${where}: tensor ${i} has ${data.length} values for shape [${shape.join(', ')}]`);
      return fromData(data, shape.slice());
    }
    if ('$num' in o) return Number(o.$num === '-0' ? -0 : o.$num);
    if ('$undefined' in o) return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) out[k] = dec(v);
    return out;
  };
  return dec(skeleton);
}

const SHA_BYTES = 32;

function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/** The tensors' layout in a payload: offsets and lengths (in float64 values). */
function layout(buffers: readonly Float64Array[]): number[] {
  return buffers.map((b) => b.length);
}

/**
 * Packs a JSON header and float64 buffers into the binary container (file header above).
 * `magic` is 8 ASCII bytes naming the file kind.
 * @example
 * const bytes = packBinary('NSDCKPT1', { step: 3 }, [Float64Array.of(1, 2)]);
 * unpackBinary('NSDCKPT1', bytes, 'x.ckpt').buffers[0]; // Float64Array [1, 2]
 */
export function packBinary(magic: string, header: Record<string, unknown>, buffers: readonly Float64Array[]): Uint8Array {
  if (magic.length !== 8) throw new InvalidArgumentError(`packBinary(): magic must be 8 ASCII characters, got '${magic}'`);
  const lengths = layout(buffers);
  const total = lengths.reduce((a, b) => a + b, 0);
  let json = Buffer.from(JSON.stringify({ ...header, $buffers: lengths, $payloadValues: total }), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const size = 16 + json.length + total * 8 + SHA_BYTES;
  const out = new Uint8Array(size);
  out.set(Buffer.from(magic, 'latin1'), 0);
  const dv = new DataView(out.buffer);
  dv.setUint32(8, json.length, true);
  dv.setUint32(12, 0, true);
  out.set(json, 16);
  let off = 16 + json.length;
  for (const b of buffers) {
    out.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), off);
    off += b.byteLength;
  }
  out.set(sha256(out.subarray(0, off)), off);
  return out;
}

/**
 * Reads the binary container, checking magic, length and SHA-256; `source` names the file in
 * errors. Returns the header (without the `$` bookkeeping keys) and fresh float64 buffers.
 * @example
 * const { header } = unpackBinary('NSDCKPT1', packBinary('NSDCKPT1', { a: 1 }, []), 'x'); // { a: 1 }
 */
export function unpackBinary(magic: string, bytes: Uint8Array, source: string): { header: Record<string, unknown>; buffers: Float64Array[] } {
  if (bytes.length < 16 || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== magic) {
    throw new CheckpointError(`${source}: not an nsdiff ${magic.startsWith('NSDCKPT') ? 'checkpoint' : 'file'} (bad magic bytes${bytes.length < 16 ? '; the file is only ' + bytes.length + ' bytes' : ''})`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const h = dv.getUint32(8, true);
  if (16 + h > bytes.length) throw new CheckpointError(`${source}: truncated: the header needs ${16 + h} bytes, the file has ${bytes.length}`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(16, 16 + h)).toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new CheckpointError(`${source}: corrupted: its header is not valid JSON`);
  }
  const lengths = header.$buffers as number[];
  const total = header.$payloadValues as number;
  if (!Array.isArray(lengths) || typeof total !== 'number') throw new CheckpointError(`${source}: corrupted: the header lacks the payload layout`);
  const expected = 16 + h + total * 8 + SHA_BYTES;
  if (bytes.length !== expected) {
    throw new CheckpointError(`${source}: ${bytes.length < expected ? 'truncated' : 'has trailing bytes'}: expected ${expected} bytes, the file has ${bytes.length}`);
  }
  const end = expected - SHA_BYTES;
  const digest = sha256(bytes.subarray(0, end));
  if (!digest.equals(Buffer.from(bytes.subarray(end)))) {
    throw new CheckpointError(`${source}: corrupted: its SHA-256 checksum does not match its content`);
  }
  const buffers: Float64Array[] = [];
  let off = 16 + h;
  for (const n of lengths) {
    const b = new Float64Array(n);
    new Uint8Array(b.buffer).set(bytes.subarray(off, off + n * 8));
    buffers.push(b);
    off += n * 8;
  }
  delete header.$buffers;
  delete header.$payloadValues;
  return { header, buffers };
}

/**
 * Packs buffers as base64 with their SHA-256 (the JSON container's payload).
 * @example
 * const p = packBase64([Float64Array.of(1)]); // { lengths: [1], base64: 'AAAAAAAA8D8=', sha256: '…' }
 */
export function packBase64(buffers: readonly Float64Array[]): { lengths: number[]; base64: string; sha256: string } {
  const total = buffers.reduce((a, b) => a + b.length, 0);
  const all = new Float64Array(total);
  let off = 0;
  for (const b of buffers) {
    all.set(b, off);
    off += b.length;
  }
  const bytes = new Uint8Array(all.buffer);
  return { lengths: layout(buffers), base64: Buffer.from(bytes).toString('base64'), sha256: sha256(bytes).toString('hex') };
}

/**
 * Unpacks {@link packBase64}'s payload, checking its length and checksum (`CheckpointError`).
 * @example
 * unpackBase64(packBase64([Float64Array.of(1)]), 'model.json')[0]; // Float64Array [1]
 */
export function unpackBase64(p: { lengths?: unknown; base64?: unknown; sha256?: unknown }, source: string): Float64Array[] {
  if (!Array.isArray(p?.lengths) || typeof p.base64 !== 'string' || typeof p.sha256 !== 'string') {
    throw new CheckpointError(`${source}: the tensor payload is missing or malformed`);
  }
  const bytes = Buffer.from(p.base64, 'base64');
  const total = (p.lengths as number[]).reduce((a, b) => a + b, 0);
  if (bytes.length !== total * 8) throw new CheckpointError(`${source}: truncated tensor payload: ${bytes.length} bytes, expected ${total * 8}`);
  if (sha256(bytes).toString('hex') !== p.sha256) throw new CheckpointError(`${source}: corrupted: the tensor payload's SHA-256 checksum does not match`);
  const all = new Float64Array(total);
  new Uint8Array(all.buffer).set(bytes);
  const out: Float64Array[] = [];
  let off = 0;
  for (const n of p.lengths as number[]) {
    out.push(all.slice(off, off + n));
    off += n;
  }
  return out;
}

/**
 * True when two trees hold bit-identical tensors (and equal other leaves): the check of exact resume.
 * @example
 * treesBitEqual({ w: tensor([0.1]) }, { w: tensor([0.1]) }); // true
 */
export function treesBitEqual(a: unknown, b: unknown): boolean {
  const ea = encodeTree(a);
  const eb = encodeTree(b);
  if (JSON.stringify(ea.skeleton) !== JSON.stringify(eb.skeleton) || ea.buffers.length !== eb.buffers.length) return false;
  return ea.buffers.every((x, i) => {
    const y = eb.buffers[i]!;
    if (x.length !== y.length) return false;
    const ux = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
    const uy = new Uint8Array(y.buffer, y.byteOffset, y.byteLength);
    for (let j = 0; j < ux.length; j++) if (ux[j] !== uy[j]) return false;
    return true;
  });
}

