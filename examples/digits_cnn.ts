/**
 * @file The digits CNN of issue 9: conv(16, 3×3, pad 1) − relu − maxpool 2 − conv(32, 3×3, pad 1)
 * − relu − maxpool 2 − linear(10) on the bundled 8×8 digits, trained with AdamW on a fixed seeded
 * 80/20 split; prints the loss and time per epoch and the final train / test accuracy (≥ 98% test
 * accuracy with the defaults). The model and the loop live in test/fixtures/digits_cnn.ts (shared
 * with test/nn.conv.test.ts and bench/conv.bench.ts).
 *
 * Run: npx tsx examples/digits_cnn.ts [epochs]
 */
import { trainDigitsCnn } from '../test/fixtures/digits_cnn.js';

const epochs = process.argv[2] ? Number(process.argv[2]) : undefined;
const r = trainDigitsCnn({
  ...(epochs !== undefined && { epochs }),
  onEpoch: (e, loss, s) => console.log(`epoch ${String(e).padStart(2)}  loss ${loss.toFixed(4)}  ${s.toFixed(2)} s`),
});
console.log(`train accuracy ${(100 * r.trainAccuracy).toFixed(2)}%, test accuracy ${(100 * r.testAccuracy).toFixed(2)}% (360 held-out digits)`);
