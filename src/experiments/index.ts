/**
 * @file The registry of the seeds' experiments (`nsdiff experiment list | run NAME`): each one a
 * browser-safe module returning figures (SVG strings), numbers, a summary and the checks of its
 * documented expected outcome. `PENDING_EXPERIMENTS` lists experiments announced by an issue whose
 * building blocks are not merged yet (`nsdiff experiment list` shows them as such; empty now).
 */
import { InvalidArgumentError } from '../core/errors.js';
import { artificialCriticalPointsExperiment } from './artificial_critical_points.js';
import { clarkeImplicitExperiment } from './clarke_implicit.js';
import { clarkeIntegralExperiment } from './clarke_integral.js';
import { cyclesExperiment } from './cycles.js';
import { deqTrainingExperiment } from './deq_training.js';
import { itdAidRatesExperiment } from './itd_aid_rates.js';
import { lassoDynamicsExperiment } from './lasso_dynamics.js';
import { lorenzExperiment } from './lorenz.js';
import { nsidRatesExperiment } from './nsid_rates.js';
import { qpLayerExperiment } from './qp_layer.js';
import { sgdHeavyBallExperiment } from './sgd_heavy_ball.js';
import type { Experiment } from './types.js';

export type { Experiment, ExperimentCheck, ExperimentContext, ExperimentResult } from './types.js';

/** Every runnable experiment, in gallery order. */
export const EXPERIMENTS: readonly Experiment[] = [
  cyclesExperiment,
  lorenzExperiment,
  clarkeImplicitExperiment,
  clarkeIntegralExperiment,
  artificialCriticalPointsExperiment,
  itdAidRatesExperiment,
  nsidRatesExperiment,
  lassoDynamicsExperiment,
  sgdHeavyBallExperiment,
  qpLayerExperiment,
  deqTrainingExperiment,
];

/** Experiments announced by the issues whose building blocks are not merged yet. */
export const PENDING_EXPERIMENTS: ReadonlyArray<{ name: string; note: string }> = [];

/**
 * The experiment called `name`; throws `InvalidArgumentError` listing the names otherwise.
 * @example
 * getExperiment('cycles').title; // 'Cycles: gradient descent through a discontinuous argmax'
 */
export function getExperiment(name: string): Experiment {
  const e = EXPERIMENTS.find((x) => x.name === name);
  if (e) return e;
  const pending = PENDING_EXPERIMENTS.find((x) => x.name === name);
  if (pending) throw new InvalidArgumentError(`experiment '${name}' is not available yet (${pending.note})`);
  throw new InvalidArgumentError(`unknown experiment '${name}'; available: ${EXPERIMENTS.map((x) => x.name).join(', ')}`);
}
