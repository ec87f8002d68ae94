/**
 * @file The layer protocol of `nn`: a layer is a pair of pure functions on parameter trees
 * (JAX / Haiku / Equinox style), and `sequential` composes layers.
 *
 * - `init(key, inputShape) → { params, state, outputShape }`: seeded parameters (a tree of
 *   tensors; `{}` for a layer without parameters), non-trainable state (running statistics; `null` when the layer has none) and the
 *   per-example output shape. `inputShape` excludes the leading batch axis.
 * - `forward(params, state, x, ctx) → { y, state }`: x carries a leading batch axis
 *   ([batch, ...inputShape]). `ctx.train` switches dropout / batch statistics; `ctx.key` seeds
 *   dropout (the same key gives the same mask). The returned state is the layer's next state
 *   (the input state unchanged outside training or for stateless layers). Pure: nothing mutates.
 * - `apply(params, x, opts)` is `forward(...).y` with defaults (eval mode, `init`'s state unless
 *   `opts.state` is given): the one-line call for inference and for stateless models.
 *
 * Every layer is built with {@link defineLayer}, which checks the input shape against the shape
 * the layer was initialised for and throws a `ShapeError` naming the layer and both shapes.
 */
import { InvalidArgumentError, ShapeError } from '../core/errors.js';
import { formatShape, type Tensor } from '../core/tensor.js';
import { hashSeed } from '../autodiff/kinks.js';
import { checkOptions } from '../core/options.js';

/** A parameter tree: nested arrays / plain objects whose leaves are tensors. */
export type Params = unknown;
/**
 * Parameters of a layer without any: the empty tree `{}` (grad accepts it and returns `{}`; a
 * `null` leaf would be refused by grad as a non-tensor leaf).
 */
export type EmptyParams = Record<string, never>;
/** Non-trainable layer state (running statistics), a tree of tensors, or null. */
export type LayerState = unknown;

/** What `init` returns. */
export interface LayerInit<P = Params, S = LayerState> {
  params: P;
  state: S;
  /** Shape of one example's output (no batch axis). */
  outputShape: number[];
}

/** Context of a forward pass. */
export interface ForwardContext {
  /** Training mode (dropout active, batch norm uses and updates batch statistics). Default false. */
  train?: boolean;
  /** Seed of this pass's randomness (dropout masks); required when `train` and the model draws. */
  key?: number;
}

/** Options of {@link Layer.apply}. */
export interface ApplyOptions<S = LayerState> extends ForwardContext {
  /** State to use (default: the state `init` returned, which `apply` cannot know: pass it for stateful layers). */
  state?: S;
}

/** A layer or a model: `init` / `forward` / `apply`. */
export interface Layer<P = Params, S = LayerState> {
  /** Display name (`linear(64)`, `conv2d(16, 3×3)`, `sequential[...]`), used in error messages. */
  readonly name: string;
  /** Seeded parameters and state for per-example input shape `inputShape`. */
  init(key: number, inputShape: readonly number[]): LayerInit<P, S>;
  /** y = layer(x) for a batch x, and the next state. */
  forward(params: P, state: S, x: Tensor, ctx?: ForwardContext): { y: Tensor; state: S };
  /** y = layer(x) in eval mode (or `opts.train`), state from `opts.state` (default null). */
  apply(params: P, x: Tensor, opts?: ApplyOptions<S>): Tensor;
}

/** Derives the key of child `index` from `key` (used by `sequential` and by layers that draw twice). */
export function foldKey(key: number, index: number): number {
  return hashSeed(key >>> 0, index + 1);
}

/** The pieces a layer implementation provides to {@link defineLayer}. */
export interface LayerSpec<P, S> {
  name: string;
  init(key: number, inputShape: readonly number[]): LayerInit<P, S>;
  forward(params: P, state: S, x: Tensor, ctx: Required<Pick<ForwardContext, 'train'>> & ForwardContext): { y: Tensor; state: S };
  /**
   * Checks a per-example input shape; return a message (without the layer name) when it is not
   * acceptable. Default: any shape accepted by `init`.
   */
  checkInput?(inputShape: readonly number[]): string | null;
}

/**
 * Builds a {@link Layer} from its `init` and `forward`: validates the key and shapes (a `ShapeError`
 * names the layer, the expected and the received shape) and derives `apply`.
 */
export function defineLayer<P, S>(spec: LayerSpec<P, S>): Layer<P, S> {
  const layer: Layer<P, S> = {
    name: spec.name,
    init(key, inputShape) {
      if (!Number.isFinite(key)) throw new InvalidArgumentError(`${spec.name}.init(): key must be a finite number, got ${String(key)}`);
      if (!Array.isArray(inputShape) || inputShape.some((d) => !Number.isInteger(d) || d < 1)) {
        throw new ShapeError(`${spec.name}.init(): inputShape must be a list of positive integers (no batch axis), got ${JSON.stringify(inputShape)}`);
      }
      const msg = spec.checkInput?.(inputShape);
      if (msg) throw new ShapeError(`${spec.name}: ${msg} (input shape ${formatShape(inputShape)}, batch axis excluded)`);
      return spec.init(key, inputShape);
    },
    forward(params, state, x, ctx = {}) {
      if (x.shape.length < 1) throw new ShapeError(`${spec.name}: input must carry a leading batch axis, got shape ${formatShape(x.shape)}`);
      const msg = spec.checkInput?.(x.shape.slice(1));
      if (msg) throw new ShapeError(`${spec.name}: ${msg} (input shape ${formatShape(x.shape)} with batch axis)`);
      if (ctx.key !== undefined && !Number.isFinite(ctx.key)) throw new InvalidArgumentError(`${spec.name}: ctx.key must be a finite number, got ${String(ctx.key)}`);
      return spec.forward(params, state, x, { ...ctx, train: ctx.train ?? false });
    },
    apply(params, x, opts = {}) {
      const { state, ...ctx } = opts;
      return layer.forward(params, (state ?? null) as S, x, ctx).y;
    },
  };
  return layer;
}

/**
 * Composes layers: y = f_n(… f_2(f_1(x))). Parameters and state are arrays with one entry per
 * layer (`params[i]` belongs to `layers[i]`; a child's `null` params are stored as `{}`, so grad
 * accepts the whole tree); child i draws from `foldKey(key, i)`.
 * @example
 * const model = sequential([linear(32), relu(), linear(10)], { name: "mlp" });
 * const { params } = model.init(0, [64]);
 * model.apply(params, x); // [batch, 10]
 */
export function sequential(layers: readonly Layer[], opts: { name?: string } = {}): Layer<Params[], LayerState[]> & { readonly layers: readonly Layer[] } {
  checkOptions(opts, ['name'], 'sequential()');
  const name = opts.name;
  if (!Array.isArray(layers) || layers.length === 0) throw new InvalidArgumentError('sequential(): layers must be a non-empty array of layers');
  layers.forEach((l, i) => {
    if (!l || typeof l.init !== 'function' || typeof l.forward !== 'function') {
      throw new InvalidArgumentError(`sequential(): layers[${i}] is not a layer (it needs init and forward)`);
    }
  });
  const label = name ?? `sequential[${layers.map((l) => l.name).join(', ')}]`;
  const composed = defineLayer<Params[], LayerState[]>({
    name: label,
    init(key, inputShape) {
      const params: Params[] = [];
      const state: LayerState[] = [];
      let shape = [...inputShape];
      layers.forEach((l, i) => {
        const r = l.init(foldKey(key, i), shape);
        params.push(r.params ?? {}); // null → {}: grad refuses null leaves, an empty tree is fine
        state.push(r.state);
        shape = r.outputShape;
      });
      return { params, state, outputShape: shape };
    },
    forward(params, state, x, ctx) {
      if (!Array.isArray(params) || params.length !== layers.length) {
        throw new InvalidArgumentError(`${label}: params must be an array of ${layers.length} entries (one per layer), got ${Array.isArray(params) ? params.length : typeof params}`);
      }
      const next: LayerState[] = [];
      let y = x;
      layers.forEach((l, i) => {
        const r = l.forward(params[i], state?.[i] ?? null, y, { train: ctx.train, key: ctx.key === undefined ? undefined : foldKey(ctx.key, i) });
        y = r.y;
        next.push(r.state);
      });
      return { y, state: next };
    },
  });
  // the children, in order (read-only: params[i] belongs to layers[i])
  return Object.assign(composed, { layers: Object.freeze([...layers]) });
}
