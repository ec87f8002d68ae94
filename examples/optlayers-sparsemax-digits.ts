/**
 * @file A sparsemax head on the bundled digits (1797 8×8 images, 10 classes): a linear layer
 * followed by sparsemax, trained end to end with the sparsemax loss (Martins & Astudillo, 2016)
 *
 *   L(z, y) = ⟨z, p⟩ − ½‖p‖² + ½ − z_y,    p = sparsemax(z),
 *
 * whose gradient in z is p − e_y: autodiff through `sparsemax` gives exactly that (its Jacobian
 * annihilates z − p, constant on the support), so the example exercises the projection's
 * derivative. A softmax / cross-entropy head is trained the same way for comparison. Reports
 * held-out accuracy, the mean support size of sparsemax (its sparsity) and the training time.
 * The computation lives in src/experiments/qp_layer.ts (`nsdiff experiment run qp-layer` runs it too).
 *
 * Run: npx tsx examples/optlayers-sparsemax-digits.ts
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { trainDigits } from '../src/experiments/qp_layer.js';

export { sparsemaxLoss, trainDigits, type DigitsResult } from '../src/experiments/qp_layer.js';

function main(): void {
  for (const head of ['sparsemax', 'softmax'] as const) {
    const r = trainDigits(head);
    console.log(`${head.padEnd(9)} head: held-out accuracy ${(100 * r.accuracy).toFixed(1)}% (360 images), mean support ${r.meanSupport.toFixed(2)} of 10 classes, ${r.epochs} epochs in ${r.seconds.toFixed(1)} s`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
