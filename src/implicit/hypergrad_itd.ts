/**
 * @file ITD — iterative differentiation through the unrolled forward loop (hypergrad.ts header):
 * reverse mode with the three memory strategies (tape, stored iterates, checkpoints) and forward
 * mode (one JVP per scalar of λ per step).
 */
import { checkCount } from '../core/options.js';
import { InvalidArgumentError } from '../core/errors.js';
import { ConcreteTensor, type Tensor } from '../core/tensor.js';
import { jvp, vjp } from '../autodiff/transforms.js';
import { checkChoice, checkFiniteNumber, checkFiniteVec, ContractionMonitor, dist2, dotVec, norm2, treeToVec, vecToTree } from './hypergrad_common.js';
import type { Ctx, HypergradientResult, HypergradStatus } from './hypergrad_types.js';
import { forwardSolve, forwardStep, outerGrads, phiPullback, phiVec } from './hypergrad_steps.js';

// ---------------------------------------------------------------------------------------------
// ITD

export function runItd<W, L>(ctx: Ctx<W, L>): HypergradientResult<W, L> {
  const o = ctx.opts.itd ?? {};
  const mode = checkChoice(o.mode ?? 'reverse', ['reverse', 'forward'] as const, ctx.fn, 'itd.mode');
  if (mode === 'forward') return itdForward(ctx);
  const memory = checkChoice(o.memory ?? 'tape', ['tape', 'iterates', 'checkpoint'] as const, ctx.fn, 'itd.memory');
  return memory === 'tape' ? itdTape(ctx) : itdStored(ctx, memory);
}

function itdResult<W, L>(
  ctx: Ctx<W, L>,
  fwd: { w: W; iterations: number; residual: number; converged: boolean; nonContraction: boolean },
  value: number,
  g: Float64Array,
  itd: HypergradientResult<W, L>['itd'],
): HypergradientResult<W, L> {
  const status: HypergradStatus = fwd.nonContraction ? 'non-contraction' : fwd.converged ? 'converged' : 'maxIter';
  return {
    method: 'ITD',
    value,
    grad: vecToTree(g, ctx.lLayout) as L,
    w: fwd.w,
    converged: status === 'converged',
    status,
    tolerancesMet: fwd.converged || ctx.tol === 0,
    iterations: { forward: fwd.iterations, adjoint: 0 },
    residuals: { forward: fwd.residual, adjoint: NaN },
    trace: ctx.recorder.entries,
    itd,
    warnings: ctx.warnings,
  };
}

/** Reverse-mode ITD through the autodiff tape of the whole unrolled loop. */
function itdTape<W, L>(ctx: Ctx<W, L>): HypergradientResult<W, L> {
  const monitor = new ContractionMonitor(ctx.fn, 'forward', ctx.opts.contraction, ctx.onFailure);
  let iterations = 0;
  let residual = NaN;
  let converged = false;
  let nonContraction = false;
  const unrolled = (lam: L): [Tensor, W] => {
    let w = ctx.w0;
    let prev = ctx.w0vec;
    while (iterations < ctx.t) {
      iterations++;
      const next = ctx.phi(w, lam);
      const vec = treeToVec(next, ctx.wLayout, ctx.fn, `Φ(w_${iterations - 1}, λ)`); // tracer values
      checkFiniteVec(vec, ctx.fn, `the forward iterate w_${iterations}`);
      const step = forwardStep(ctx, monitor, iterations, vec, prev);
      residual = step.residual;
      prev = vec;
      w = next;
      if (step.stop === 'converged') {
        converged = true;
        break;
      }
      if (step.stop === 'non-contraction') {
        nonContraction = true;
        break;
      }
    }
    return [ctx.outer(w, lam), w];
  };
  const [[E, wT], pull] = vjp(unrolled, ctx.lam);
  if (E.size !== 1) throw new InvalidArgumentError(`${ctx.fn}: outer must return a scalar tensor`);
  const value = E.data[0]!;
  checkFiniteNumber(value, ctx.fn, 'the outer objective E(w_t, λ)');
  const wVec = treeToVec(wT, ctx.wLayout, ctx.fn, 'w_t');
  const one = new ConcreteTensor(Float64Array.of(1), [...E.shape]);
  const [gTree] = pull([one, vecToTree(new Float64Array(ctx.wLayout.size), ctx.wLayout) as W]);
  const g = treeToVec(gTree, ctx.lLayout, ctx.fn, 'the ITD gradient');
  checkFiniteVec(g, ctx.fn, 'the ITD hypergradient');
  const w = vecToTree(wVec, ctx.wLayout) as W;
  return itdResult(ctx, { w, iterations, residual, converged, nonContraction }, value, g, {
    mode: 'reverse',
    memory: 'tape',
    storedIterates: iterations,
    phiEvaluations: iterations,
  });
}

/**
 * Reverse-mode ITD with a hand-driven reverse sweep: per step one VJP of Φ at the stored (or
 * recomputed) iterate — no tape across steps.
 */
function itdStored<W, L>(ctx: Ctx<W, L>, memory: 'iterates' | 'checkpoint'): HypergradientResult<W, L> {
  const c =
    memory === 'checkpoint'
      ? checkCount(ctx.opts.itd?.checkpointEvery ?? Math.max(1, Math.ceil(Math.sqrt(ctx.t))), ctx.fn, 'itd.checkpointEvery', 1)
      : 1;
  const stored = new Map<number, Float64Array>();
  let peak = 0;
  const fwd = forwardSolve(ctx, (k, vec) => {
    if (k % c === 0) stored.set(k, vec);
  });
  peak = stored.size;
  let phiEvaluations = fwd.iterations;
  // segment cache for checkpointing: iterates j0..j0+c−1 recomputed from checkpoint j0
  let segStart = -1;
  let segment: Float64Array[] = [];
  const iterate = (j: number): W => {
    if (memory === 'iterates') return vecToTree(stored.get(j)!, ctx.wLayout) as W;
    const j0 = Math.floor(j / c) * c;
    if (segStart !== j0) {
      segStart = j0;
      segment = [stored.get(j0)!];
      let w = vecToTree(segment[0]!, ctx.wLayout) as W;
      for (let s = j0 + 1; s <= j && s < j0 + c; s++) {
        const next = phiVec(ctx, w, s);
        phiEvaluations++;
        segment.push(next.vec);
        w = next.w;
      }
      peak = Math.max(peak, stored.size + segment.length - 1);
    }
    return vecToTree(segment[j - j0]!, ctx.wLayout) as W;
  };
  const { value, gw, gl } = outerGrads(ctx, fwd.w);
  let v = gw;
  const g = Float64Array.from(gl);
  const inc = new Float64Array(ctx.lLayout.size);
  const nextV = new Float64Array(ctx.wLayout.size);
  for (let s = fwd.iterations; s >= 1; s--) {
    const pull = phiPullback(ctx, iterate(s - 1), `w_${s - 1}`);
    phiEvaluations++;
    pull(v, nextV, inc);
    for (let i = 0; i < g.length; i++) g[i] += inc[i]!;
    v = Float64Array.from(nextV);
    ctx.recorder.push('reverse', fwd.iterations - s + 1, norm2(inc), g);
  }
  return itdResult(ctx, fwd, value, g, { mode: 'reverse', memory, storedIterates: peak, phiEvaluations });
}

/** Forward-mode ITD: propagates J_k = dw_k/dλ (one tangent per scalar of λ). */
function itdForward<W, L>(ctx: Ctx<W, L>): HypergradientResult<W, L> {
  const m = ctx.lLayout.size;
  const n = ctx.wLayout.size;
  const monitor = new ContractionMonitor(ctx.fn, 'forward', ctx.opts.contraction, ctx.onFailure);
  const tangents: Float64Array[] = Array.from({ length: m }, () => new Float64Array(n)); // dw_0/dλ = 0
  const basis: L[] = Array.from({ length: m }, (_, i) => {
    const e = new Float64Array(m);
    e[i] = 1;
    return vecToTree(e, ctx.lLayout) as L;
  });
  const estimate = (w: W): { value: number; g: Float64Array } => {
    const { value, gw, gl } = outerGrads(ctx, w);
    const g = Float64Array.from(gl);
    for (let i = 0; i < m; i++) g[i] += dotVec(gw, tangents[i]!);
    return { value, g };
  };
  let w = ctx.w0;
  let wVec = ctx.w0vec;
  let residual = NaN;
  let converged = false;
  let nonContraction = false;
  let k = 0;
  let last: { value: number; g: Float64Array } | null = null;
  while (k < ctx.t) {
    k++;
    let nextVec: Float64Array | null = null;
    for (let i = 0; i < m; i++) {
      const [out, dout] = jvp(ctx.phi, [w, ctx.lam] as [W, L], [vecToTree(tangents[i]!, ctx.wLayout) as W, basis[i]!]);
      if (nextVec === null) {
        nextVec = treeToVec(out, ctx.wLayout, ctx.fn, `Φ(w_${k - 1}, λ)`);
        checkFiniteVec(nextVec, ctx.fn, `the forward iterate w_${k}`);
      }
      treeToVec(dout, ctx.wLayout, ctx.fn, 'the JVP of Φ', tangents[i]!);
      checkFiniteVec(tangents[i]!, ctx.fn, `dw_${k}/dλ`);
    }
    if (nextVec === null) nextVec = phiVec(ctx, w, k).vec; // λ without scalars
    residual = dist2(nextVec, wVec);
    const scale = norm2(nextVec);
    wVec = nextVec;
    w = vecToTree(wVec, ctx.wLayout) as W;
    last = null;
    if (ctx.recorder.wantsEstimates) {
      last = estimate(w);
      ctx.recorder.push('forward', k, residual, last.g);
    }
    if (residual <= ctx.tol * Math.max(1, scale)) {
      converged = true;
      break;
    }
    if (monitor.violated(k, residual, scale)) {
      nonContraction = true;
      break;
    }
  }
  const fin = last ?? estimate(w);
  return itdResult(ctx, { w, iterations: k, residual, converged, nonContraction }, fin.value, fin.g, {
    mode: 'forward',
    memory: 'tangents',
    storedIterates: m,
    phiEvaluations: k * Math.max(1, m),
  });
}
