/**
 * @file The line search's start from the scouting values' quadratic model (src/hpo/optimizers.ts
 * `scoutModel`, round fitcpu): on criteria of known shape in θ = log λ, the start is the minimiser of
 * the quadratic through the best scouting value and its neighbours (exact on a quadratic criterion),
 * the last scouting point the budget allows keeps its loose value (`certified: false`), and a model
 * minimiser that does not beat the best scouting value is recorded as a rejected trial, the descent
 * then starting from the best scouting point as before. Round scout2's sloped scouting (line search,
 * one hyperparameter): the middle point is one certified call with its hypergradient, the last look
 * goes 1.6 × as far as the minimiser of the quadratic with that value and slope through the point
 * before (the grid point when that is out of range), and the model start comes from the slope and
 * the look; Adam and `scoutAll` scout value-only as before. Round scout3's end look: after a
 * converged descent, a criterion whose inner problems are not wide (`shape`: features ≤ rows) and whose
 * scouting range's last cell is unexplored gets one loose look at the range's bottom, and a second
 * descent from there when it wins; a wide or shapeless criterion is searched exactly as before.
 * Scouting grid with λmax = 1 (5 points): θ = log(1/2) − k·1.5537, k = 0..4 (−0.693, −2.247, −3.800,
 * −5.354, −6.908).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optimize, type Criterion, type CriterionEvaluation, type EvaluateOptions } from '../src/hpo/index.js';

/**
 * A criterion f(θ) with derivative df (θ = log λ); certified unless asked not to be; `shape`: the
 * inner problems' size it declares (none by default).
 */
function shaped(
  f: (th: number) => number, df: (th: number) => number, shape?: { rows: number; features: number },
): Criterion & { calls: { th: number; certify: boolean; gradient: boolean }[] } {
  const calls: { th: number; certify: boolean; gradient: boolean }[] = [];
  return {
    name: 'heldout', model: 'lasso', nHyper: 1, lambdaMax: 1, calls, ...(shape === undefined ? {} : { shape }),
    resetWarmStart: () => {},
    evaluate(l: ArrayLike<number> | number, o: EvaluateOptions = {}): CriterionEvaluation {
      const lam = typeof l === 'number' ? l : l[0]!;
      const th = Math.log(lam);
      const certified = o.certify !== false;
      calls.push({ th, certify: certified, gradient: o.gradient !== false });
      return {
        lambdas: Float64Array.of(lam), value: f(th), gradient: o.gradient === false ? null : Float64Array.of(df(th)), supportSize: 1,
        inner: { solves: 1, epochs: 0, converged: true, solveMs: 0, postMs: 0, hypergradMs: 0, jacIterations: 0, certified, finalTol: 0 },
        diagnostics: { ok: true, kinks: 0, rankDeficient: false, kktViolation: 0, messages: [] }, finite: true,
      };
    },
  };
}

const scoutTheta = (k: number): number => Math.log(0.5) + (k * (Math.log(1e-3) - Math.log(0.5))) / 4;

test('a quadratic criterion bracketed by the scouting: the descent starts at its minimiser, exactly', () => {
  const c = -2.6; // between scouting points 1 and 2; point 2 is worse than point 1: the loose stop
  const crit = shaped((th) => (th - c) ** 2, (th) => 2 * (th - c));
  const r = optimize(crit, {});
  const scouting = r.history.filter((h) => h.gradient === null);
  assert.equal(scouting.length, 3);
  assert.ok(!scouting[2]!.certified && !scouting[2]!.accepted, 'the point that ended the scouting is the loose look');
  const start = r.history[3]!;
  assert.ok(start.gradient !== null && start.accepted);
  assert.ok(Math.abs(start.logLambdas[0]! - c) < 1e-12, `start θ = ${start.logLambdas[0]}`);
  assert.ok(Math.abs(r.logLambdas[0]! - c) < 1e-12);
  assert.equal(r.history.length, 4, 'zero gradient at the start: no further trial');
  assert.ok(r.certified && r.converged);
});

test('sloped scouting (round scout2): the middle point is one certified call with its hypergradient; the last look overshoots the slope model by 1.6 and stays loose', () => {
  const c = -3.3; // below scouting point 1 (θ₁ = −2.247)
  const crit = shaped((th) => (th - c) ** 2, (th) => 2 * (th - c));
  const r = optimize(crit, {});
  const scouting = r.history.filter((h) => h.gradient === null);
  assert.equal(scouting.length, 3, 'scouting points stay value-only in the history');
  // the middle point: one call, certified, with the hypergradient (no loose look before it)
  const atMiddle = crit.calls.filter((x) => Math.abs(x.th - scoutTheta(1)) < 1e-12);
  assert.deepEqual(atMiddle.map((x) => [x.certify, x.gradient]), [[true, true]]);
  assert.ok(scouting[1]!.certified && scouting[1]!.accepted && scouting[1]!.innerTol === 1e-6);
  // the quadratic with the value and slope at θ₁ through θ₀ is exact here: its minimiser is c, and the
  // look goes 1.6 × as far from θ₁: θ₁ − 1.6·(θ₁ − c)
  const look = scouting[2]!;
  const expected = scoutTheta(1) - 1.6 * (scoutTheta(1) - c);
  assert.ok(Math.abs(look.logLambdas[0]! - expected) < 1e-9, `look θ = ${look.logLambdas[0]}, expected ${expected}`);
  assert.ok(!look.certified && !look.accepted, 'recorded as a loose look');
  assert.deepEqual(crit.calls.filter((x) => Math.abs(x.th - expected) < 1e-9).map((x) => x.certify), [false]);
  // the descent starts at the minimiser of the quadratic with θ₁'s value and slope through the look: c
  assert.ok(Math.abs(r.history[3]!.logLambdas[0]! - c) < 1e-9 && r.history[3]!.accepted);
  assert.ok(Math.abs(r.logLambdas[0]! - c) < 1e-9 && r.certified);
  assert.equal(r.nEvaluations, 4, 'scouting: 1 + 1 + 1 calls, then the start');
});

test('sloped scouting falls back to the grid point when the slope model\'s minimiser is out of range', () => {
  // minimum far below: θ* = θ₁ − 1.6·(θ₁ − c) is below θ₁ − 1.5h, so the look is the grid's point 2
  const c = -6;
  const crit = shaped((th) => (th - c) ** 2, (th) => 2 * (th - c));
  const r = optimize(crit, {});
  const scouting = r.history.filter((h) => h.gradient === null);
  assert.equal(scouting.length, 3);
  assert.ok(Math.abs(scouting[2]!.logLambdas[0]! - scoutTheta(2)) < 1e-12, `look θ = ${scouting[2]!.logLambdas[0]}`);
  assert.ok(!scouting[2]!.certified);
  assert.ok(Math.abs(r.logLambdas[0]! - c) < 1e-3 && r.certified, `θ = ${r.logLambdas[0]}`);
});

test('a kink at the middle scouting point (zero slope): the look is the grid point and the descent starts at the kink', () => {
  const t1 = scoutTheta(1);
  const f = (th: number): number => (th < t1 ? Math.abs(th - t1) ** 0.75 : 3 * Math.abs(th - t1) ** 0.75);
  const df = (th: number): number => (th === t1 ? 0 : th < t1 ? -0.75 * Math.abs(th - t1) ** -0.25 : 2.25 * Math.abs(th - t1) ** -0.25);
  const r = optimize(shaped(f, df), {});
  const scouting = r.history.filter((h) => h.gradient === null);
  assert.equal(scouting.length, 3);
  assert.ok(Math.abs(scouting[2]!.logLambdas[0]! - scoutTheta(2)) < 1e-12);
  // the slope model's minimiser is θ₁ itself: no trial, the descent starts there
  assert.ok(Math.abs(r.history[3]!.logLambdas[0]! - t1) < 1e-12 && r.history[3]!.gradient !== null);
  assert.equal(r.value, 0);
  assert.equal(r.history.length, 4);
});

test('a sloped model minimiser within 0.1 (in log λ) of the best scouting point is not tried: the descent starts at that point', () => {
  const c = scoutTheta(1) - 0.05; // just below θ₁: the look falls back to the grid point 2, θ₁ stays the best
  const crit = shaped((th) => (th - c) ** 2, (th) => 2 * (th - c));
  const r = optimize(crit, {});
  const scouting = r.history.filter((h) => h.gradient === null);
  assert.equal(scouting.length, 3);
  assert.ok(Math.abs(scouting[2]!.logLambdas[0]! - scoutTheta(2)) < 1e-12);
  const first = r.history[3]!;
  assert.ok(Math.abs(first.logLambdas[0]! - scoutTheta(1)) < 1e-12 && first.gradient !== null, `first descent point θ = ${first.logLambdas[0]}`);
  assert.ok(Math.abs(r.logLambdas[0]! - c) < 5e-3 && r.certified, `θ = ${r.logLambdas[0]}`);
});

test('Adam and scoutAll scout value-only, as before (no sloped evaluation)', () => {
  const c = -3.3;
  for (const opts of [{ optimizer: 'adam' as const, maxEvals: 8 }, { scoutAll: true, maxEvals: 8 }]) {
    const crit = shaped((th) => (th - c) ** 2, (th) => 2 * (th - c));
    optimize(crit, opts);
    const scoutCalls = crit.calls.slice(0, opts.optimizer === 'adam' ? 3 : 5);
    assert.ok(scoutCalls.every((x) => !x.gradient), JSON.stringify(opts));
  }
});

test('scoutAll: a three-point model minimiser worse than the best scouting value is a rejected trial; the descent starts at the best scouting point', () => {
  // a kink at scouting point 1, steeper on the large-λ side: the quadratic's minimiser is off the kink
  const t1 = scoutTheta(1);
  const f = (th: number): number => (th < t1 ? Math.abs(th - t1) ** 0.75 : 3 * Math.abs(th - t1) ** 0.75);
  const df = (th: number): number => (th === t1 ? 0 : th < t1 ? -0.75 * Math.abs(th - t1) ** -0.25 : 2.25 * Math.abs(th - t1) ** -0.25);
  const crit = shaped(f, df);
  // scoutAll: every scouting point certified, value-only (no slope): the three-point model
  const r = optimize(crit, { scoutAll: true });
  const k = r.history.findIndex((h) => h.gradient !== null);
  assert.equal(k, 5, 'five scouting entries');
  const tried = r.history[k]!;
  assert.ok(!tried.accepted && tried.value > 0, 'the model minimiser is recorded, rejected');
  assert.ok(tried.logLambdas[0]! > scoutTheta(2) && tried.logLambdas[0]! < scoutTheta(0));
  const start = r.history[k + 1]!;
  assert.ok(Math.abs(start.logLambdas[0]! - t1) < 1e-12 && start.accepted && start.gradient !== null);
  assert.ok(Math.abs(r.logLambdas[0]! - t1) < 1e-12);
  assert.equal(r.value, 0);
});

test('no model start without three scouting values: an explicit init, a small budget', () => {
  const c = -2.6;
  const make = (): ReturnType<typeof shaped> => shaped((th) => (th - c) ** 2, (th) => 2 * (th - c));
  const explicit = optimize(make(), { init: Math.exp(-1) });
  assert.ok(Math.abs(explicit.history[0]!.logLambdas[0]! + 1) < 1e-12);
  // maxEvals 5: a 4-point scouting grid whose budget ends at its second point (two scouting values:
  // no model); the descent starts from the best of them
  const tight = optimize(make(), { maxEvals: 5 });
  const scouting = tight.history.filter((h) => h.gradient === null);
  assert.equal(scouting.length, 2);
  const best = scouting.reduce((a, b) => (b.value < a.value ? b : a));
  const first = tight.history.find((h) => h.gradient !== null)!;
  assert.ok(Math.abs(first.logLambdas[0]! - best.logLambdas[0]!) < 1e-12, `start θ = ${first.logLambdas[0]}`);
  assert.ok(tight.nEvaluations <= 5);
});

/**
 * Two basins: a shallow one at θ = −3.43 (λmax/31, value 1) that the scouting and the descent find,
 * and a deeper one at θ = −9 (value 0.2) below the scouting range (its bottom θ = −6.908: value 0.637).
 */
const shallow = (th: number): number => (th + 3.43) ** 2 + 1;
const deep = (th: number): number => 0.1 * (th + 9) ** 2 + 0.2;
const twoBasins = (th: number): number => Math.min(shallow(th), deep(th));
const twoBasinsSlope = (th: number): number => (shallow(th) <= deep(th) ? 2 * (th + 3.43) : 0.2 * (th + 9));
const bottom = Math.log(1e-3);

test('end look (round scout3): features ≤ rows and an unexplored small-λ end: one loose look at the bottom, then a second descent into the better basin', () => {
  const crit = shaped(twoBasins, twoBasinsSlope, { rows: 100, features: 10 });
  const r = optimize(crit, {});
  const k = r.history.findIndex((h) => Math.abs(h.logLambdas[0]! - bottom) < 1e-12);
  assert.ok(k > 0, 'the bottom of the scouting range was looked at');
  const look = r.history[k]!;
  assert.ok(look.gradient === null && !look.certified && !look.accepted, 'the look is loose and value-only');
  assert.ok(r.history.slice(0, k).every((h) => h.logLambdas[0]! > bottom + 1.5), 'before the look, nothing below the scouting range\'s last cell');
  assert.ok(Math.abs(r.history[k - 1]!.logLambdas[0]! + 3.43) < 0.05, 'the first descent converged in the shallow basin');
  const start = r.history[k + 1]!;
  assert.ok(Math.abs(start.logLambdas[0]! - bottom) < 1e-12 && start.gradient !== null && start.certified && start.accepted, 'the look is then certified with its slope');
  assert.ok(Math.abs(r.logLambdas[0]! + 9) < 5e-3 && r.value < 0.2 + 1e-4 && r.certified && r.converged, `θ = ${r.logLambdas[0]}, value ${r.value}`);
  assert.equal(crit.calls.length, r.nEvaluations);
  assert.ok(crit.calls.filter((c) => !c.certify).length === 2, 'two loose calls: the scouting\'s last look and the end look');
});

test('end look: a wide criterion (features > rows) or one without a shape is searched as before', () => {
  const wide = shaped(twoBasins, twoBasinsSlope, { rows: 100, features: 1000 });
  const none = shaped(twoBasins, twoBasinsSlope);
  const rw = optimize(wide, {});
  const rn = optimize(none, {});
  assert.deepEqual(wide.calls, none.calls, 'the same calls');
  assert.equal(rw.value, rn.value);
  assert.ok(Math.abs(rw.logLambdas[0]! + 3.43) < 5e-3, 'the shallow basin: no look below it');
  assert.ok(rw.history.every((h) => h.logLambdas[0]! > bottom + 1.5));
});

test('end look: a look that loses costs one loose call and changes nothing; none when the descent reached the last cell, the budget is spent or init is given', () => {
  const c = -3.43; // one basin
  const plain = shaped((th) => (th - c) ** 2, (th) => 2 * (th - c));
  const tall = shaped((th) => (th - c) ** 2, (th) => 2 * (th - c), { rows: 100, features: 10 });
  const rp = optimize(plain, {});
  const rt = optimize(tall, {});
  assert.deepEqual(tall.calls.slice(0, -1), plain.calls, 'the same search, then the look');
  const look = tall.calls.at(-1)!;
  assert.ok(Math.abs(look.th - bottom) < 1e-12 && !look.certify && !look.gradient);
  assert.equal(rt.nEvaluations, rp.nEvaluations + 1);
  assert.equal(rt.value, rp.value);
  assert.deepEqual(rt.lambdas, rp.lambdas);
  assert.equal(rt.stopReason, rp.stopReason);
  assert.ok(!rt.history.at(-1)!.accepted && !rt.history.at(-1)!.certified);
  // the minimum in the scouting range's last cell: the descent went there, no look
  const low = -6.5;
  const lowTall = shaped((th) => (th - low) ** 2, (th) => 2 * (th - low), { rows: 100, features: 10 });
  const lowPlain = shaped((th) => (th - low) ** 2, (th) => 2 * (th - low));
  optimize(lowTall, {});
  optimize(lowPlain, {});
  assert.deepEqual(lowTall.calls, lowPlain.calls);
  // a budget the first descent spends: no look (maxEvals stays a hard limit)
  for (const maxEvals of [3, 4, 5, 6]) {
    const b = shaped(twoBasins, twoBasinsSlope, { rows: 100, features: 10 });
    const r = optimize(b, { maxEvals });
    assert.ok(b.calls.length === r.nEvaluations && r.nEvaluations <= maxEvals, `maxEvals ${maxEvals}: ${r.nEvaluations}`);
  }
  // an explicit start: no scouting, no look
  const given = shaped(twoBasins, twoBasinsSlope, { rows: 100, features: 10 });
  const rg = optimize(given, { init: Math.exp(-3) });
  assert.ok(rg.history.every((h) => h.logLambdas[0]! > bottom + 1.5) && Math.abs(rg.logLambdas[0]! + 3.43) < 5e-3);
});
