/**
 * @file `npm start` part 1: conservative autodiff at work on nonsmooth functions — derivatives at
 * and away from kinks, the effect of the kink policy, kink reporting, and the artificial critical
 * point of relu(x) − relu(−x) = x at 0.
 */
import { abs, grad, jvp, maximum, relu, sub, neg, sum, tensor, trackKinks, withKinkPolicy, type Tensor, type KinkPolicy } from './index.js';

const fmt = (t: Tensor) => JSON.stringify(t.toArray());

export function runAutodiffDemo(log: (s: string) => void = console.log): void {
  log('== nsdiff: conservative autodiff of nonsmooth programs ==\n');

  const x = tensor([-1, 0, 2]);
  log(`x = ${fmt(x)}`);
  log(`d/dx Σ relu(x) = ${fmt(grad((v: Tensor) => sum(relu(v)))(x))}   (relu'(0) = 0: the minimal-norm element of [0, 1])`);
  log(`d/dx Σ |x|     = ${fmt(grad((v: Tensor) => sum(abs(v)))(x))}  (abs'(0) = 0: the minimal-norm element of [−1, 1])`);
  const y = tensor([0, 0, 0]);
  log(`d/dx Σ max(x, 0) = ${fmt(grad((v: Tensor) => sum(maximum(v, y)))(x))}  (tie at 0 split evenly: ½)`);

  log('\nThe kink policy picks another element of the Clarke interval at kinks only:');
  const policies: KinkPolicy[] = ['minNorm', 'left', 'right', { kind: 'fixed', t: 0.25 }, { kind: 'random', seed: 7 }];
  for (const p of policies) {
    const g = withKinkPolicy(p, () => grad((v: Tensor) => sum(abs(v)))(x));
    log(`  ${JSON.stringify(p).padEnd(28)} d/dx Σ|x| = ${fmt(g)}`);
  }
  const [, tangent] = jvp((v: Tensor) => relu(v, { kink: 'right' }), [x], [tensor([1, 1, 1])]);
  log(`  per call, forward mode: jvp of relu(x, {kink: 'right'}) along 1 = ${fmt(tangent)}`);

  const { kinks } = trackKinks(() => sum(abs(relu(x))));
  log(`\ntrackKinks: ${kinks.total} element(s) evaluated exactly at a kink ${JSON.stringify(kinks.byPrimitive)}`);
  log('  → the derivative there is a selection from a set, not a gradient.');

  log('\nArtificial critical point: f(x) = relu(x) − relu(−x) is the identity, f\'(x) = 1 everywhere.');
  const f = (v: Tensor) => sum(sub(relu(v), relu(neg(v))));
  for (const x0 of [-0.5, 0, 0.5]) {
    log(`  autodiff f'(${x0}) = ${fmt(grad(f)(tensor([x0])))}`);
  }
  log('  At 0 autodiff returns 0: an element of the conservative Jacobian [0, 2] of f at 0, not the');
  log('  derivative. Conservative calculus guarantees such disagreements only on a measure-zero set,');
  log('  which SGD-type methods almost surely never visit.');
}

// run as a script (not when bundled into the CLI, whose file is then the entry point)
if (import.meta.url === `file://${process.argv[1]}` && /\/demo\.[jt]s$/.test(import.meta.url)) runAutodiffDemo();
