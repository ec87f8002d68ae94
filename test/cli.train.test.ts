/**
 * @file `nsdiff train` / `nsdiff evaluate` as a user runs them (spawned processes): --json lines,
 * a run killed with SIGKILL mid-run and resumed from its checkpoint ends with the same model bit for
 * bit as an uninterrupted run, the saved model evaluates to the reported test metrics, and bad
 * input (unknown names, missing dataset, damaged checkpoint) gives one clear error line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runEvaluate, runTrain, type TrainCliOptions } from '../src/cli/train.js';
import { loadCommands, main } from '../src/cli/main.js';
import { nodeFlags } from './helpers.js';

await loadCommands(['node', 'nsdiff', 'train']); // main() runs `train` in-process below

const dir = mkdtempSync(join(tmpdir(), 'nsdiff-cli-train-'));
const root = new URL('..', import.meta.url).pathname;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/** Spawns the CLI; `onStart` gets the child (to kill it). */
function run(args: string[], onStart?: (p: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...nodeFlags, '--import', import.meta.resolve('tsx'), join(root, 'src/cli/main.ts'), ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
    let out = '';
    let err = '';
    p.stdout!.on('data', (c) => (out += c));
    p.stderr!.on('data', (c) => (err += c));
    p.on('close', (code, signal) => resolve({ code, signal, out, err }));
    onStart?.(p);
  });
}

// digits, mlp 64-24-10, batch 32 → 43 steps per epoch (1350 training rows), 4 epochs (later flags override earlier ones)
const TRAIN = ['train', '--dataset', 'digits', '--hidden', '24', '--epochs', '4', '--batch-size', '32', '--lr', '0.01', '--seed', '3', '--quiet'];
const TRAIN_OPTS: TrainCliOptions = { dataset: 'digits', hidden: '24', epochs: '4', batchSize: '32', lr: '0.01', seed: '3', quiet: true };
const silent = { out: () => {}, err: () => {} };

/** Runs main() in-process, capturing stderr; returns the exit status and the stderr text. */
function inProcess(args: string[]): { code: number; err: string } {
  const write = process.stderr.write.bind(process.stderr);
  let err = '';
  (process.stderr as { write: unknown }).write = (s: string) => ((err += s), true);
  try {
    return { code: main(['node', 'nsdiff', ...args]), err };
  } finally {
    (process.stderr as { write: unknown }).write = write;
  }
}

test('train --json: one object per epoch, a final line with testAccuracy/testLoss/epochs/seconds; the saved model evaluates to them', async () => {
  const model = join(dir, 'a.json');
  const r = await run([...TRAIN, '--json', '--out', model, '--plot', join(dir, 'curves.svg')]);
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 5);
  assert.deepEqual(lines.slice(0, 4).map((l) => [l.type, l.epoch]), [['epoch', 1], ['epoch', 2], ['epoch', 3], ['epoch', 4]]);
  const final = lines[4];
  assert.equal(final.type, 'final');
  for (const k of ['testAccuracy', 'testLoss', 'epochs', 'seconds']) assert.equal(typeof final[k], 'number', k);
  assert.equal(final.epochs, 4);
  assert.ok(final.testAccuracy > 0.85, `test accuracy ${final.testAccuracy}`);
  assert.match(readFileSync(join(dir, 'curves.svg'), 'utf8'), /^<svg[\s\S]*Accuracy[\s\S]*<\/svg>$/);
  const e = runEvaluate(model, {}, silent);
  assert.equal(e.accuracy, final.testAccuracy);
  assert.equal(e.loss, final.testLoss);
});

test('kill -9 mid-run, then --resume: the final model is bit-identical to an uninterrupted run', async () => {
  const ck = join(dir, 'ck');
  // 6 epochs of 85 steps (batch 16): long enough that the kill lands mid-run even on an idle machine
  const KILL = [...TRAIN, '--epochs', '6', '--batch-size', '16'];
  const killed = await run([...KILL, '--checkpoint', ck, '--checkpoint-every', '5', '--out', join(dir, 'never.json')], (p) => {
    const poll = setInterval(() => {
      // kill as soon as a step checkpoint exists (the run is then somewhere in its 510 steps)
      if (existsSync(join(ck, 'checkpoint.nsdckpt'))) {
        clearInterval(poll);
        p.kill('SIGKILL');
      }
    }, 10);
    p.on('close', () => clearInterval(poll));
  });
  assert.equal(killed.signal, 'SIGKILL', `the run ended before the kill (code ${killed.code}); ${killed.err}`);
  assert.ok(!existsSync(join(dir, 'never.json')));
  const resumed = await run([...KILL, '--checkpoint', ck, '--checkpoint-every', '5', '--resume', '--json', '--out', join(dir, 'resumed.json')]);
  assert.equal(resumed.code, 0, resumed.err);
  const final = JSON.parse(resumed.out.trim().split('\n').at(-1)!);
  assert.equal(final.steps, 510);
  assert.ok(final.resumedFromStep > 0 && final.resumedFromStep < 510, `resumed from ${final.resumedFromStep}`);
  runTrain({ ...TRAIN_OPTS, epochs: '6', batchSize: '16', out: join(dir, 'full.json') }, silent); // the uninterrupted run, in-process
  const a = JSON.parse(readFileSync(join(dir, 'resumed.json'), 'utf8'));
  const b = JSON.parse(readFileSync(join(dir, 'full.json'), 'utf8'));
  assert.equal(a.tensors.sha256, b.tensors.sha256);
  assert.equal(a.tensors.base64, b.tensors.base64);
});

test('bad input: unknown names list the valid ones; a missing dataset names the package; a damaged checkpoint is refused', async () => {
  const m = inProcess(['train', '--model', 'resnet']);
  assert.equal(m.code, 1);
  assert.match(m.err, /^nsdiff: error: --model must be one of mlp, cnn, deq, mondeq, mondeq-conv; got 'resnet'\n$/);
  const o = inProcess(['train', '--optimizer', 'adma']);
  assert.match(o.err, /--optimizer must be one of sgd, heavy-ball, adam; got 'adma' \(did you mean 'adam'\?\)/);
  const d = inProcess(['train', '--dataset', 'fashion-mnist', '--data-dir', join(dir, 'nowhere')]);
  assert.equal(d.code, 1);
  assert.match(d.err, /apt-get install dataset-fashion-mnist/);
  const ck = join(dir, 'ck2');
  runTrain({ ...TRAIN_OPTS, epochs: '1', checkpoint: ck }, silent);
  const other = inProcess([...TRAIN, '--seed', '4', '--checkpoint', ck, '--resume']);
  assert.match(other.err, /belongs to another run: seed is 3 there and 4 here/);
  const path = join(ck, 'checkpoint.nsdckpt');
  writeFileSync(path, readFileSync(path).subarray(0, 5000));
  const r = await run([...TRAIN, '--checkpoint', ck, '--resume']);
  assert.equal(r.code, 1);
  assert.match(r.err, /^nsdiff: error: checkpoint .*checkpoint\.nsdckpt: truncated: expected \d+ bytes, the file has 5000\n$/);
});

test('nsdiff train --model deq: the epoch lines carry the DEQ solver statistics; --hidden is refused for it', () => {
  const lines: string[] = [];
  runTrain({ dataset: 'digits', model: 'deq', epochs: '1', batchSize: '32', limit: '120', seed: '0', quiet: true, json: true }, { out: (s) => lines.push(s), err: () => {} });
  const epoch = JSON.parse(lines[0]!) as { type: string; deq?: { forwardIterationsMean: number; forwardIterationsMax: number; fractionConverged: number; backwardIterationsMean: number; forwardSeconds: number } };
  assert.equal(epoch.type, 'epoch');
  assert.ok(epoch.deq, 'deq statistics in the epoch line');
  assert.ok(epoch.deq.forwardIterationsMean >= 1 && epoch.deq.forwardIterationsMax >= epoch.deq.forwardIterationsMean);
  assert.ok(epoch.deq.fractionConverged > 0 && epoch.deq.fractionConverged <= 1);
  assert.ok(epoch.deq.backwardIterationsMean >= 1 && epoch.deq.forwardSeconds >= 0);
  assert.throws(() => runTrain({ dataset: 'digits', model: 'deq', hidden: '16', quiet: true }, silent), /--hidden is for --model mlp/);
});

test('nsdiff train --model deq --dataset digits --epochs 1: the log prints the time split and the invertibility estimate', () => {
  const lines: string[] = [];
  runTrain({ dataset: 'digits', model: 'deq', epochs: '1', batchSize: '32', limit: '120', seed: '0', quiet: true }, { out: (s) => lines.push(s), err: () => {} });
  const text = lines.join('\n');
  assert.match(text, /deq: forward iterations mean [\d.]+ max \d+, converged [\d.]+%, backward iterations mean [\d.]+ max \d+, time forward [\d.]+s backward [\d.]+s of [\d.]+s/);
  assert.match(text, /deq invertibility \(\d+ sampled batches\): ρ\(∂z f\) mean [\d.]+ max [\d.]+, ‖∂z f‖₂ max [\d.]+, σmin\(I − ∂z f\) ∈ \[[\d.]+, [\d.]+\], kinks at z\* \d+/);
  const json: string[] = [];
  runTrain({ dataset: 'digits', model: 'deq', epochs: '1', batchSize: '32', limit: '120', seed: '0', quiet: true, json: true }, { out: (s) => json.push(s), err: () => {} });
  const st = (JSON.parse(json[0]!) as { deq: { backwardSeconds: number; invertibility: { estimates: number; spectralRadiusMax: number; spectralNormMax: number; sigmaMinLowerBound: number; sigmaMinUpperBound: number; kinks: number; atRisk: number } } }).deq;
  assert.ok(st.backwardSeconds > 0);
  const inv = st.invertibility;
  assert.ok(inv.estimates >= 1 && inv.spectralRadiusMax > 0 && inv.spectralRadiusMax <= inv.spectralNormMax * (1 + 1e-6));
  // spectral bound 0.9: ‖∂z f‖₂ ≤ 0.9 (relu' ≤ 1), so σmin(I − ∂z f) ≥ 0.1 and nothing is at risk
  assert.ok(inv.spectralNormMax <= 0.9 + 1e-6 && inv.sigmaMinLowerBound >= 0.1 - 1e-6 && inv.atRisk === 0);
  assert.ok(inv.sigmaMinUpperBound >= inv.sigmaMinLowerBound && inv.sigmaMinUpperBound <= 1.9);
});
