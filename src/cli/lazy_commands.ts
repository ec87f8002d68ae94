/**
 * @file The commands `nsdiff lasso …` does not need — train, evaluate, experiment, demo, with the
 * model names of their help — gathered in one module that main.ts imports on demand
 * (`loadCommands`): the bin's bundle then splits into the lasso commands, this part and one chunk
 * of code both use, so a `lasso` process loads two files and compiles about half of the code.
 */
export { DATASET_HELP, runEvaluate, runTrain } from './train.js';
export { runExperiment, runExperimentList } from './experiment.js';
export { runAutodiffDemo } from '../demo.js';
export { modelNames } from '../nn/models.js';
