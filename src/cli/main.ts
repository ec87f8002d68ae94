#!/usr/bin/env node
/**
 * @file The `nsdiff` command line. Every error prints one line `nsdiff: error: …` on stderr — no
 * stack trace, no internal function names — and exits with status 1; usage errors (unknown flags,
 * missing values) exit with 2. Warnings of the library are printed as `nsdiff: warning: …`.
 *
 * The `lasso` commands are imported statically; `train`, `evaluate`, `experiment` and `demo` (the
 * neural-network, experiment and autodiff code, about half of the bundled bin) are imported by
 * `loadCommands` only when the command line runs them or asks for help, so that `nsdiff lasso
 * tune` does not compile them at start-up (issue 12). `main` itself stays synchronous: the entry
 * point awaits `loadCommands(argv)` first; in-process callers do the same.
 */
import { Command, CommanderError } from 'commander';
import { NsdiffError } from '../core/errors.js';
import { datasetNames } from '../data/datasets.js';
import { needsLazyCommands } from './argv_route.js';
import { runHypergrad, runPath, runTune } from './lasso.js';
import { intIn } from './options.js';
import { kernelInfo, printInfo } from './info.js';
import { setThreads } from '../kernels/threads.js';
import type * as LazyCommands from './lazy_commands.js';

/** The commands loaded by `loadCommands` (undefined: not loaded). */
let lazy: typeof LazyCommands | undefined;

/**
 * Imports the commands other than `lasso` (src/cli/lazy_commands.ts) when `argv` (process.argv
 * layout) runs one of them or asks for help (`help`, `-h`, `--help`, no command: the help shows
 * every command's options); not for `lasso …`, `--version` or an unknown command (commander's
 * suggestion needs only the names).
 *
 * @example
 * await loadCommands(['node', 'nsdiff', 'train']);
 * main(['node', 'nsdiff', 'train', '--epochs', '1']);
 */
export async function loadCommands(argv: string[] = process.argv): Promise<void> {
  if (lazy === undefined && needsLazyCommands(argv)) lazy = await import('./lazy_commands.js');
}

/** The lazily loaded commands, or an internal error if `loadCommands` did not load them. */
function need(command: string): typeof LazyCommands {
  if (lazy === undefined) throw new Error(`the module of \`nsdiff ${command}\` is not loaded: await loadCommands(argv) before main(argv)`);
  return lazy;
}

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
  // before or after the command (`nsdiff --threads 1 lasso tune …`, `nsdiff lasso tune … --threads 1`)
  program.option('--threads <n>', 'threads of the kernels: the caller plus n − 1 workers, 1 to 256 (default: NSDIFF_THREADS, else the available cores); results do not depend on it');
  program.hook('preAction', () => {
    const t = intIn(program.opts<{ threads?: string }>().threads, '--threads', 1, 256);
    if (t !== undefined) setThreads(t);
  });
  program.command('info').description('what the kernels run on here: backend, WebAssembly SIMD and fused multiply-add, threads, shared memory')
    .option('--json', 'machine-readable output on stdout')
    .action((opts: { json?: boolean }) => printInfo(kernelInfo(program.version() ?? '', program.opts<{ threads?: string }>().threads !== undefined), opts.json === true));
  program.command('demo').description('conservative autodiff of nonsmooth functions: kinks, policies, artificial critical points').action(() => need('demo').runAutodiffDemo());

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
  experiment.command('list').description('the experiments with their expected outcomes').option('--json', 'machine-readable output on stdout').action((opts) => need('experiment').runExperimentList(opts));
  experiment.command('run <name>').description('run one experiment (see `nsdiff experiment list`) and write its figures, numbers and summary')
    .option('--out <dir>', 'output directory (default nsdiff-experiments)')
    .option('--json', 'print the numbers and checks as JSON on stdout')
    .option('--png', 'also write PNGs (rsvg-convert, or the npm package @resvg/resvg-js)')
    .option('--seed <n>', 'seed of every random draw (default 0)')
    .option('--quick', 'reduced sizes (the tests use them); same checks')
    .action((name: string, opts) => void need('experiment').runExperiment(name, opts));
  // train / evaluate: their options' help names the datasets and models of the lazily loaded
  // modules; without them (a `lasso` command line) the commands are listed but not parsed
  const train = program.command('train').description('train a classifier (fit loop with validation, early stopping, checkpoints and exact resume)');
  const evaluate = program.command('evaluate').description('test loss and accuracy of a model saved by nsdiff train --out');
  if (lazy === undefined) {
    for (const c of [train, evaluate]) c.allowUnknownOption().allowExcessArguments().action(() => void need(c.name()));
    return program;
  }
  const { DATASET_HELP, runEvaluate, runTrain, modelNames } = lazy;
  train
    .option('--dataset <name>', DATASET_HELP, 'digits')
    .option('--data-dir <dir>', 'directory of the Fashion-MNIST IDX files')
    .option('--model <name>', `${modelNames().join(' | ')}`, 'mlp')
    .option('--hidden <sizes>', 'hidden layer sizes of the mlp, comma-separated (default 256,128)')
    .option('--optimizer <name>', 'sgd | heavy-ball | adam', 'adam')
    .option('--epochs <n>', 'number of epochs (default 10)')
    .option('--batch-size <n>', 'samples per step (default 128)')
    .option('--lr <lr>', 'step size (default 1e-3 for adam, 0.1 otherwise)')
    .option('--momentum <m>', 'momentum in [0, 1) of sgd (default 0) and heavy-ball (default 0.9, β = 1 − m)')
    .option('--weight-decay <w>', 'L2 weight decay ≥ 0 (sgd, adam)')
    .option('--schedule <name>', 'constant | cosine | step (÷10 at 1/3 and 2/3 of the steps)', 'constant')
    .option('--seed <n>', 'seed of the initialisation, the shuffles and the validation split (default 0)')
    .option('--validation-split <f>', 'fraction held out for validation, in (0, 1), or 0 for none (default 0.1)')
    .option('--patience <n>', 'early stopping: epochs without a lower validation loss')
    .option('--limit <n>', 'use only the first n training (and test) samples')
    .option('--checkpoint <dir>', 'write a checkpoint (atomically) to this directory after every epoch')
    .option('--checkpoint-every <steps>', 'also checkpoint every this many steps')
    .option('--resume', 'continue the run saved in --checkpoint (ends bit-identical to an uninterrupted run)')
    .option('--json', 'one JSON object per epoch on stdout, then a final one (testAccuracy, testLoss, epochs, seconds)')
    .option('--plot <file.svg>', 'write the learning curves (loss and accuracy, training vs validation)')
    .option('--out <model.json>', 'save the trained model (architecture, parameters, state)')
    .option('-q, --quiet', 'no progress on stderr')
    .action((opts) => void runTrain(opts));
  evaluate
    .argument('<model.json>', 'the saved model')
    .option('--dataset <name>', 'digits | fashion-mnist (default: the one the model was trained on)')
    .option('--data-dir <dir>', 'directory of the Fashion-MNIST IDX files')
    .option('--limit <n>', 'use only the first n test samples')
    .option('--batch-size <n>', 'samples per forward pass (default 512)')
    .option('--json', 'machine-readable output on stdout')
    .action((file, opts) => void runEvaluate(file, opts));
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

/**
 * The command as a process runs it: loads what `argv` needs (`loadCommands`), runs `main` and sets
 * `process.exitCode`. The entry points: `node dist/cli/main.js …` (below) and the bin's loader
 * (src/cli/bin.ts, src/cli/code_cache.ts), which calls it in the bundle it loads.
 *
 * @example
 * await runCli(['node', 'nsdiff', '--version']); // prints 0.1.0
 */
export async function runCli(argv: string[] = process.argv): Promise<void> {
  // output piped into a reader that stops early (`| head`): stop quietly, as Unix tools do
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  await loadCommands(argv);
  process.exitCode = main(argv);
}

// run as a file (`node dist/cli/main.js`, tsx on src/cli/main.ts); the bundles call runCli themselves
if (import.meta.url === `file://${process.argv[1]}`) void runCli(process.argv);
