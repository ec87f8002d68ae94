import { rng, conv2d, conv2dTranspose, relu, add, mul } from './src/index.js';
const z = rng(0).normal([50, 8, 8, 8]);
const A = rng(1).normal([8, 8, 3, 3]);
for (const [name, fn] of [['conv2d', () => conv2d(z, A, { padding: 1 })], ['conv2dT', () => conv2dTranspose(z, A, { padding: 1 })], ['relu+add', () => relu(add(mul(z, 0.5), z))]] as const) {
  fn();
  const t = performance.now();
  for (let i = 0; i < 20; i++) fn();
  console.log(name, ((performance.now() - t) / 20).toFixed(2), 'ms');
}
