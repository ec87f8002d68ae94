/**
 * @file OptNet-style learned 1-D denoising (Amos & Kolter, 2017, §5.3): a QP layer
 *
 *   z(y) = argmin_z ½‖z − y‖² + λ‖Dz‖₁   (lifted: min ½‖z − y‖² + λ1ᵀt  s.t.  −t ≤ Dz ≤ t)
 *
 * whose operator D (m × n) is LEARNED end to end through `solveQp` (a batch of signals per step,
 * D shared: its gradient is the sum over the batch), starting from a random D, on piecewise-constant
 * signals with Gaussian noise. Compared with the hand-designed total-variation prior (D the
 * difference operator, `tvDenoise1d`) at its best λ on the same data. Reports test MSE and time.
 * The computation lives in src/experiments/qp_layer.ts (`nsdiff experiment run qp-layer` runs it too).
 *
 * Run: npx tsx examples/optlayers-qp-denoise.ts
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainDenoiser } from '../src/experiments/qp_layer.js';

export { signals, qpDenoise, trainDenoiser, type DenoiseResult } from '../src/experiments/qp_layer.js';

function main(): void {
  const r = trainDenoiser();
  console.log(`test MSE: noisy ${r.noisyMse.toFixed(4)}, random D ${r.initialMse.toFixed(4)}, learned D ${r.learnedMse.toFixed(4)} (${r.steps} Adam steps of 16 signals in ${r.seconds.toFixed(1)} s), TV at its best λ = ${r.tvLambda}: ${r.tvMse.toFixed(4)}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
