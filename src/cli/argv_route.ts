/**
 * @file Which part of the bundled bin a command line needs: the commands other than `lasso`
 * (train, evaluate, experiment, demo) and the help, which lists them, live in an on-demand part
 * (src/cli/lazy_commands.ts); every other command line (`lasso …`, `--version`, an unknown
 * command) runs without it. Used by `loadCommands` (src/cli/main.ts) and by the bin's loader
 * (src/cli/code_cache.ts), which sends the latter command lines to the code-cached script.
 */

/**
 * True when `argv` (process.argv layout) runs a command of src/cli/lazy_commands.ts or asks for
 * help (`help`, `-h`, `--help`, no command: the help shows every command's options).
 *
 * @example
 * needsLazyCommands(['node', 'nsdiff', 'train']); // true
 * needsLazyCommands(['node', 'nsdiff', 'lasso', 'tune', '--data', 'a.csv']); // false
 */
export function needsLazyCommands(argv: readonly string[]): boolean {
  const cmd = argv[2];
  const help = cmd === undefined || cmd === 'help' || argv.includes('-h') || argv.includes('--help');
  return help || cmd === 'train' || cmd === 'evaluate' || cmd === 'experiment' || cmd === 'demo';
}
