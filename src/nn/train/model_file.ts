/**
 * @file Saved models: one JSON file `{ format: 'nsdiff-model', version, model: ModelSpec, params,
 * state, tensors: { lengths, base64, sha256 }, info }`, written atomically. The tensors are the
 * exact float64 bits (base64 of the little-endian payload), so a reloaded model predicts
 * identically; the architecture is rebuilt from the registry (`nn/models.ts`) by name + config.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../../core/errors.js';
import { writeFileAtomic } from '../../data/atomic_write.js';
import type { Layer, LayerState, Params } from '../layer.js';
import { buildModel, type ModelSpec } from '../models.js';
import { CheckpointError, decodeTree, encodeTree, packBase64, unpackBase64 } from './serialize.js';

const FORMAT = 'nsdiff-model';
const VERSION = 1;

/** What {@link saveModel} writes and {@link loadModel} returns (plus the built model). */
export interface SavedModel {
  spec: ModelSpec;
  params: Params;
  state: LayerState;
  /** Free-form metadata (training summary, dataset, …), JSON-serialisable. */
  info?: Record<string, unknown>;
}

/**
 * The JSON text of a saved model (what {@link saveModel} writes).
 * @example
 * const text = modelToJson({ spec, params, state: null });
 */
export function modelToJson(m: SavedModel): string {
  if (!m || typeof m !== 'object' || !m.spec) throw new InvalidArgumentError('saveModel(): the model must be { spec, params, state }');
  const buffers: Float64Array[] = [];
  const params = encodeTree(m.params, buffers).skeleton;
  const state = encodeTree(m.state ?? null, buffers).skeleton;
  return JSON.stringify({ format: FORMAT, version: VERSION, model: m.spec, params, state, info: m.info ?? {}, tensors: packBase64(buffers) }) + '\n';
}

/**
 * Writes a model (spec + parameters + layer state) to `path` atomically.
 * @example
 * saveModel('model.json', { spec: modelSpec('mlp', {}, [784]), params, state });
 */
export function saveModel(path: string, m: SavedModel): void {
  writeFileAtomic(path, modelToJson(m), 'model');
}

/**
 * Parses a saved model's JSON text (`source` names it in errors) and rebuilds its architecture.
 * @example
 * const { model, params, state } = modelFromJson(text, 'model.json');
 */
export function modelFromJson(text: string, source: string): SavedModel & { model: Layer } {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new CheckpointError(`${source}: not a saved model: ${(e as Error).message} (truncated or not JSON)`);
  }
  if (doc?.format !== FORMAT) throw new CheckpointError(`${source}: not a saved nsdiff model (format ${JSON.stringify(doc?.format)})`);
  if (doc.version !== VERSION) throw new CheckpointError(`${source}: model format version ${String(doc.version)} is not supported (expected ${VERSION})`);
  const buffers = unpackBase64(doc.tensors as Record<string, unknown>, source);
  const spec = doc.model as ModelSpec;
  const model = buildModel(spec);
  const params = decodeTree(doc.params, buffers, source);
  const state = decodeTree(doc.state, buffers, source);
  return { spec, params, state, info: (doc.info as Record<string, unknown>) ?? {}, model };
}

/**
 * Reads a model written by {@link saveModel}: the rebuilt layer, its parameters and state.
 * A truncated or corrupted file throws `CheckpointError` naming it.
 * @example
 * const { model, params, state } = loadModel('model.json');
 * model.apply(params, x, { state });
 */
export function loadModel(path: string): SavedModel & { model: Layer } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InvalidArgumentError(`cannot read the model ${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return modelFromJson(text, `model ${path}`);
}
