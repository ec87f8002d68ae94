/**
 * @file The one seam between the library and its host (Node or a browser / Web Worker): reading
 * environment variables without touching the Node-only `process` global. Nothing reachable from the
 * package root imports a Node built-in (test/package.browser.test.ts checks it); code that needs a
 * host feature asks here and falls back when the host lacks it.
 */

interface ProcessLike {
  env?: Record<string, string | undefined>;
}

/**
 * The value of an environment variable under Node, `undefined` in a browser or Web Worker (which
 * have no environment) or when it is unset.
 *
 * @example
 * const noWasm = envVar('NSDIFF_NO_WASM') === '1'; // under Node only; false in a browser
 */
export function envVar(name: string): string | undefined {
  const proc = (globalThis as { process?: ProcessLike }).process;
  return proc?.env?.[name];
}

/**
 * True when running under Node (a `process.versions.node` is present), false in a browser or Web
 * Worker.
 *
 * @example
 * isNode(); // true under node, false in Chromium
 */
export function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string';
}
