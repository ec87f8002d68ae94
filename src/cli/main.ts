#!/usr/bin/env node
/**
 * @file The `nsdiff` command line. Errors from nsdiff (bad data, bad options, failed hypotheses)
 * print one clear line on stderr and exit with status 1; usage errors exit with 2.
 */
import { Command, CommanderError } from 'commander';
import { NsdiffError } from '../core/errors.js';
import { runAutodiffDemo } from '../demo.js';
import { runHypergrad, runTune } from './lasso.js';

function dataOptions(cmd: Command): Command {
  return cmd
    .option('--dataset <name>', 'bundled dataset: diabetes | breast_cancer | digits')
    .option('--data <file>', 'one CSV (header row) or libsvm file with all rows')
    .option('--train <file>', 'training rows (CSV or libsvm)')
    .option('--val <file>', 'validation rows (with --train)')
    .option('--target <column>', 'name of the target column in CSV files')
    .option('--format <fmt>', 'csv | libsvm (default: from the file extension)');
}

export function buildProgram(): Command {
  const program = new Command();
  program.exitOverride(); // subcommands inherit it: usage errors throw instead of exiting the process
  program.name('nsdiff').description('Nonsmooth automatic and implicit differentiation; Lasso-type hyperparameter tuning by hypergradients.').version('0.1.0');
  program.command('demo').description('conservative autodiff of nonsmooth functions: kinks, policies, artificial critical points').action(() => runAutodiffDemo());

  const lasso = program.command('lasso').description('Lasso-type models: hyperparameter search and hypergradients');
  dataOptions(lasso.command('tune').description('choose λ by hypergradient descent (or grid search) and refit'))
    .option('--model <model>', 'lasso | enet | wlasso | logreg', 'lasso')
    .option('--criterion <criterion>', 'heldout | cv | sure (default: cv, or heldout with --val)')
    .option('--folds <k>', 'number of CV folds (default 5)')
    .option('--shuffle', 'shuffle rows before cutting folds / the held-out split')
    .option('--seed <n>', 'seed of the shuffles and of SURE’s probe')
    .option('--optimizer <name>', 'line-search | adam | grid', 'line-search')
    .option('--max-evals <n>', 'budget of criterion evaluations')
    .option('--tol <tol>', 'final inner tolerance (scikit-learn duality-gap semantics)')
    .option('--no-intercept', 'do not fit an intercept')
    .option('--plot <file.svg>', 'write the validation curve with the search path')
    .option('--json', 'machine-readable output on stdout')
    .action((opts) => void runTune(opts));
  dataOptions(lasso.command('hypergrad').description('criterion and d criterion / d log λ at one λ'))
    .option('--model <model>', 'lasso | enet | wlasso | logreg', 'lasso')
    .requiredOption('--lambda <L>', 'λ > 0 (comma-separated: λ₁,λ₂ for enet, one per feature for wlasso)')
    .option('--method <method>', 'implicit | implicit-forward | forward', 'implicit')
    .option('--criterion <criterion>', 'heldout | cv | sure (default: heldout with --val, else cv)')
    .option('--folds <k>', 'number of CV folds (default 5)')
    .option('--tol <tol>', 'inner tolerance (default 1e-8)')
    .option('--no-intercept', 'do not fit an intercept')
    .option('--json', 'machine-readable output on stdout')
    .action((opts) => void runHypergrad(opts));
  return program;
}

export function main(argv: string[]): number {
  const program = buildProgram();
  try {
    program.parse(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof NsdiffError) {
      process.stderr.write(`nsdiff: error: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/nsdiff')) {
  process.exitCode = main(process.argv);
}
