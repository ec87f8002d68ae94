/**
 * @file The contract of a seed experiment (`nsdiff experiment run NAME`): its name, title and
 * documented expected outcome, and `run(context)` returning plain data — SVG strings, a JSON-able
 * record of the numbers, a text summary and the checks of the expected outcome. Browser-safe: no
 * `node:` import anywhere under `src/experiments/` (file writing lives in `src/cli/experiment.ts`).
 */
import type { Dataset } from '../data/dataset.js';

/** One verified statement of an experiment's expected outcome. */
export interface ExperimentCheck {
  /** What is checked, in words, with the threshold (e.g. 'fitted ITD rate ≤ q + 0.01'). */
  what: string;
  ok: boolean;
  /** The measured value the check is about. */
  value: number | string | boolean;
}

/** What an experiment returns: everything in plain numbers and strings. */
export interface ExperimentResult {
  name: string;
  /** Figure name (file stem) → standalone SVG document. */
  figures: Record<string, string>;
  /** The numbers behind the figures and checks (JSON-serialisable). */
  data: Record<string, unknown>;
  /** A short human-readable summary (a few lines). */
  summary: string;
  checks: ExperimentCheck[];
}

/** Inputs of `run`. */
export interface ExperimentContext {
  /** Seed of every random draw (data, initialisations, minibatches). */
  seed: number;
  /** Reduced sizes (tests): same checks, smaller budgets. */
  quick: boolean;
  /** Loads a bundled dataset (used by `lasso-dynamics`). Default: the embedded datasets (`loadDataset` of src/data/datasets.ts). */
  loadDataset?: (name: 'diabetes' | 'breast_cancer' | 'digits') => Dataset;
}

/** A registered experiment. */
export interface Experiment {
  /** Command-line name, e.g. `'itd-aid-rates'`. */
  name: string;
  title: string;
  /** The documented expected outcome that `checks` verify. */
  expected: string;
  /** Runs the experiment (deterministic for a given context). */
  run(context: ExperimentContext): ExperimentResult;
}
