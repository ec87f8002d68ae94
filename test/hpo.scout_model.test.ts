/**
 * @file The line search's start from the scouting values' quadratic model (src/hpo/optimizers.ts
 * `scoutModel`, round fitcpu): on criteria of known shape in θ = log λ, the start is the minimiser of
 * the quadratic through the best scouting value and its neighbours (exact on a quadratic criterion),
 * the last scouting point the budget allows keeps its loose value (`certified: false`), and a model
 * minimiser that does not beat the best scouting value is recorded as a rejected trial, the descent
 * then starting from the best scouting point as before. Scouting grid with λmax = 1 (5 points):
 * θ = log(1/2) − k·1.5537, k = 0..4 (−0.693, −2.247, −3.800, −5.354, −6.908).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optimize, type Criterion, type CriterionEvaluation, type EvaluateOptions } from '../src/hpo/index.js';

/** A criterion f(θ) with derivative df (θ = log λ); certified unless asked not to be. */
function shaped(f: (th: number) => number, df: (th: number) => number): Criterion & { calls: { th: number; certify: boolean; gradient: boolean }[] } {
  const calls: { th: number; certify: boolean; gradient: boolean }[] = [];
  return {
    name: 'heldout', model: 'lasso', nHyper: 1, lambdaMax: 1, calls,
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

test('the last scouting point the budget allows keeps its loose value; the model may start beyond the best certified one', () => {
  const c = -3.3; // below scouting point 2 (−3.800 is still better than −2.247)
  const crit = shaped((th) => (th - c) ** 2, (th) => 2 * (th - c));
  const r = optimize(crit, {});
  const scouting = r.history.filter((h) => h.gradient === null);
  assert.equal(scouting.length, 3);
  const last = scouting[2]!;
  assert.ok(Math.abs(last.logLambdas[0]! - scoutTheta(2)) < 1e-12);
  assert.ok(!last.certified && !last.accepted, 'recorded as a loose look');
  // one call for it (no certificate), then the model's minimiser with its hypergradient
  const atLast = crit.calls.filter((x) => Math.abs(x.th - scoutTheta(2)) < 1e-12);
  assert.deepEqual(atLast.map((x) => x.certify), [false]);
  assert.ok(Math.abs(r.history[3]!.logLambdas[0]! - c) < 1e-12 && r.history[3]!.accepted);
  assert.ok(Math.abs(r.logLambdas[0]! - c) < 1e-12 && r.certified);
  assert.equal(r.nEvaluations, 5, 'scouting: 1 + 2 + 1 calls, then the start');
});

test('a model minimiser worse than the best scouting value is a rejected trial; the descent starts at the best scouting point', () => {
  // a kink at scouting point 1, steeper on the large-λ side: the quadratic's minimiser is off the kink
  const t1 = scoutTheta(1);
  const f = (th: number): number => (th < t1 ? Math.abs(th - t1) ** 0.75 : 3 * Math.abs(th - t1) ** 0.75);
  const df = (th: number): number => (th === t1 ? 0 : th < t1 ? -0.75 * Math.abs(th - t1) ** -0.25 : 2.25 * Math.abs(th - t1) ** -0.25);
  const crit = shaped(f, df);
  const r = optimize(crit, {});
  const k = r.history.findIndex((h) => h.gradient !== null);
  assert.equal(k, 3, 'three scouting entries');
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
