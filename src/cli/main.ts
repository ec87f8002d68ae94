#!/usr/bin/env node
/**
 * @file The `nsdiff` command line. Every error prints one line `nsdiff: error: …` on stderr — no
 * stack trace, no internal function names — and exits with status 1; usage errors (unknown flags,
 * missing values) exit with 2. Warnings of the library are printed as `nsdiff: warning: …`.
 */
import { Command, CommanderError } from 'commander';
import { NsdiffError } from '../core/errors.js';
import { runAutodiffDemo } from '../demo.js';
import { datasetNames } from '../data/datasets.js';
import { runHypergrad, runPath, runTune } from './lasso.js';
import { runExperiment, runExperimentList } from './experiment.js';

function dataOptions(cmd: Command): Command {
  return cmd
    .option('--dataset <name>', `bundled dataset: ${datasetNames.join(' | ')} (constant columns are dropped)`)
    .option('--data <file>', 'one CSV (header row) or libsvm file with all rows')
    .option('--train <file>', 'training rows (CSV or libsvm)')
    .option('--val <file>', 'validation rows (with --train)')
    .option('--target <column>', 'name of the target column in CSV files')
    .option('--format <fmt>', 'csv | libsvm (default: from the extension .csv / .svm .libsvm .svmlight)')
    .option('--drop-constant', 'drop constant feature columns of the files (refused otherwise)')
    .option('--standardize', 'standardise every feature (training mean 0, standard deviation 1)')
    .option('--add-noise <k>', 'append k seeded standard-normal noise features (a check of the selection)')
    .option('--seed <n>', 'seed of shuffles, of SURE’s probe and of --add-noise')
    .option('--no-intercept', 'do not fit an intercept')
    .option('--tol <tol>', 'inner tolerance in (0, 1) (scikit-learn duality-gap semantics)')
    .option('--json', 'machine-readable output on stdout')
    .option('-q, --quiet', 'no progress and no notes on stderr (errors and warnings still)');
}

/** The command-line program (commander), without side effects until parsed. */
export function buildProgram(): Command {
  const program = new Command();
  program.exitOverride(); // subcommands inherit it: usage errors throw instead of exiting the process
  program.configureOutput({ outputError: (str, write) => write(`nsdiff: ${str}`) });
  program.showSuggestionAfterError(true);
  program.name('nsdiff').description('Nonsmooth automatic and implicit differentiation; Lasso-type hyperparameter tuning by hypergradients.').version('0.1.0');
  program.command('demo').description('conservative autodiff of nonsmooth functions: kinks, policies, artificial critical points').action(() => runAutodiffDemo());

  const lasso = program.command('lasso').description('Lasso-type models: hyperparameter search, hypergradients, regularisation paths');
  dataOptions(lasso.command('tune').description('choose λ by hypergradient descent (or grid search) and refit'))
    .option('--model <model>', 'lasso | enet | wlasso | logreg', 'lasso')
    .option('--criterion <criterion>', 'heldout | cv | sure (default: cv, or heldout with --val)')
    .option('--folds <k>', 'number of CV folds (default 5)')
    .option('--shuffle', 'shuffle rows before cutting folds / the held-out split')
    .option('--optimizer <name>', 'line-search | adam | grid', 'line-search')
    .option('--max-evals <n>', 'budget of criterion evaluations')
    .option('--select <rule>', 'min | 1se: the CV minimum, or the largest λ within one standard error of it (sparser; --criterion cv)', 'min')
    .option('--plot <file.svg>', 'write the validation curve with the search path')
    .option('--log-y', 'log-scale criterion axis in --plot')
    .option('--path-plot <file.svg>', 'write the coefficient path with the selected λ marked (--model lasso)')
    .action((opts) => void runTune(opts));
  dataOptions(lasso.command('hypergrad').description('criterion and d criterion / d log λ at one λ'))
    .option('--model <model>', 'lasso | enet | wlasso | logreg', 'lasso')
    .requiredOption('--lambda <L>', 'λ > 0 (comma-separated: λ₁,λ₂ for enet, one per feature for wlasso)')
    .option('--method <method>', 'implicit | implicit-forward | forward', 'implicit')
    .option('--criterion <criterion>', 'heldout | cv | sure (default: heldout with --val, else cv)')
    .option('--folds <k>', 'number of CV folds (default 5)')
    .action((opts) => void runHypergrad(opts));
  dataOptions(lasso.command('path').description('the Lasso regularisation path (warm-started coordinate descent); --plot draws it'))
    .option('--model <model>', 'lasso', 'lasso')
    .option('--n-lambdas <n>', 'number of λ values (default 60)')
    .option('--eps <eps>', 'smallest λ = eps × λ_max, eps in (0, 1) (default 1e-3)')
    .option('--lambda <L>', 'a λ to mark on the plot (e.g. the one lasso tune selected)')
    .option('--plot <file.svg>', 'write the coefficient path')
    .action((opts) => void runPath(opts));

  const experiment = program.command('experiment').description("the seeds' experiments: figures (SVG), numbers (JSON), summary, checked expected outcome");
  experiment.command('list').description('the experiments with their expected outcomes').option('--json', 'machine-readable output on stdout').action((opts) => runExperimentList(opts));
  experiment.command('run <name>').description('run one experiment (see `nsdiff experiment list`) and write its figures, numbers and summary')
    .option('--out <dir>', 'output directory (default nsdiff-experiments)')
    .option('--json', 'print the numbers and checks as JSON on stdout')
    .option('--png', 'also write PNGs (rsvg-convert, or the npm package @resvg/resvg-js)')
    .option('--seed <n>', 'seed of every random draw (default 0)')
    .option('--quick', 'reduced sizes (the tests use them); same checks')
    .action((name: string, opts) => void runExperiment(name, opts));
  return program;
}

/**
 * A library message for a command-line user: internal function prefixes (`optimize(): `,
 * `CrossValCriterion(): `) are removed — the flags and files the user gave are what the message
 * must be about.
 */
export function userMessage(message: string): string {
  return message.replace(/(^|[;:(]\s*)(?:new\s+)?[A-Za-z_][\w.]*\(\):?\s+/g, '$1');
}

/** Runs the CLI on `argv` (process.argv layout); returns the exit status. */
export function main(argv: string[]): number {
  const program = buildProgram();
  const emit = process.emitWarning;
  // library warnings (process.emitWarning / core/failure.ts) as one plain line each
  (process as { emitWarning: unknown }).emitWarning = (w: string | Error) => {
    process.stderr.write(`nsdiff: warning: ${userMessage(typeof w === 'string' ? w : w.message)}\n`);
  };
  try {
    program.parse(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof NsdiffError) {
      process.stderr.write(`nsdiff: error: ${userMessage(e.message)}\n`);
      return 1;
    }
    const err = e as Error;
    if (err instanceof RangeError && /allocation|Array buffer|Invalid (typed )?array length/i.test(err.message)) {
      process.stderr.write(`nsdiff: error: out of memory: the data is too large for this machine (${err.message})\n`);
      return 1;
    }
    process.stderr.write(`nsdiff: internal error: ${err?.message ?? String(e)} (please report it${process.env.NSDIFF_DEBUG ? '' : '; NSDIFF_DEBUG=1 shows the stack'})\n`);
    if (process.env.NSDIFF_DEBUG) process.stderr.write(`${err?.stack ?? ''}\n`);
    return 70;
  } finally {
    (process as { emitWarning: unknown }).emitWarning = emit;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/nsdiff')) {
  // output piped into a reader that stops early (`| head`): stop quietly, as Unix tools do
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  process.exitCode = main(process.argv);
}
