/**
 * @file The demo page in a real browser: builds web/dist (scripts/build-web.ts), serves it on an
 * ephemeral port (scripts/serve-web.ts), drives Debian's headless Chromium (/usr/bin/chromium, or
 * CHROMIUM_PATH) through puppeteer-core (which never downloads a browser), runs each panel — Lasso
 * tuning in the Web Worker, the kink explorer under each policy, the cycles and Lorenz dynamics —
 * and compares the page's numbers with the same computations (web/src/compute.ts) run here in Node.
 * Screenshots go to out/screenshots/. Skipped, with the reason, when no Chromium is installed
 * (.ci/run installs it).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { ROOT } from '../scripts/api-report.js';
import { buildWeb } from '../scripts/build-web.js';
import { serveStatic } from '../scripts/serve-web.js';
import { exploreKink, KINK_FUNCTIONS, runCycles, runLorenz, runTuning, type DynamicsOutput, type KinkOutput, type TuneOutput, type TuneParams } from '../web/src/compute.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
const SHOTS = join(ROOT, 'out/screenshots');

/** Deep comparison of JSON-like values, numbers within a relative tolerance. */
function assertClose(actual: unknown, expected: unknown, rtol: number, path = '$'): void {
  if (typeof expected === 'number') {
    assert.equal(typeof actual, 'number', `${path}: ${String(actual)} is not a number`);
    const a = actual as number;
    if (Number.isNaN(expected)) return assert.ok(Number.isNaN(a), `${path}: ${a} (expected NaN)`);
    assert.ok(Math.abs(a - expected) <= rtol * Math.max(1, Math.abs(expected)), `${path}: ${a} in the browser, ${expected} in Node`);
  } else if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: not an array`);
    assert.equal((actual as unknown[]).length, expected.length, `${path}: length`);
    expected.forEach((e, i) => assertClose((actual as unknown[])[i], e, rtol, `${path}[${i}]`));
  } else if (expected !== null && typeof expected === 'object') {
    assert.deepEqual(Object.keys(actual as object).sort(), Object.keys(expected).sort(), `${path}: keys`);
    for (const [k, v] of Object.entries(expected)) assertClose((actual as Record<string, unknown>)[k], v, rtol, `${path}.${k}`);
  } else assert.deepEqual(actual, expected, path);
}

type Browser = import('puppeteer-core').Browser;
type Page = import('puppeteer-core').Page;
let server: Server | undefined;
let browser: Browser | undefined;
let page: Page;
const pageErrors: string[] = [];

before(async () => {
  if (skip) return;
  await buildWeb();
  const served = await serveStatic(join(ROOT, 'web/dist'), 0);
  server = served.server;
  const { default: puppeteer } = await import('puppeteer-core');
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
  await page.goto(served.url);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 10_000 });
  mkdirSync(SHOTS, { recursive: true });
});
after(async () => {
  await browser?.close();
  server?.close();
});

/** The numbers a finished panel stored in window.__nsdiff. */
async function resultOf<T>(panel: string): Promise<T> {
  await page.waitForSelector(`#${panel}[data-state="done"], #${panel}[data-state="error"]`, { timeout: 25_000 });
  const out = await page.evaluate((p) => JSON.stringify((globalThis as unknown as { __nsdiff: Record<string, unknown> }).__nsdiff[p] ?? null), panel);
  const errors = await page.evaluate(() => (globalThis as unknown as { __nsdiff: { errors: string[] } }).__nsdiff.errors);
  assert.deepEqual(errors, [], 'errors reported by the page');
  return JSON.parse(out) as T;
}

/** Screenshot of a panel's section, saved as out/screenshots/<name>.png. */
async function shot(panel: string, name = panel): Promise<void> {
  const el = await page.$(`#${panel}`);
  assert.ok(el, `no section #${panel}`);
  await el.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Runs the tuning panel with these controls and compares with `runTuning` in Node. */
async function checkTuning(params: TuneParams): Promise<void> {
  await page.select('#tune-dataset', params.dataset);
  await page.select('#tune-model', params.model);
  await page.select('#tune-criterion', params.criterion);
  await page.$eval('#tune-folds', (e, v) => { (e as unknown as { value: string }).value = v; }, String(params.folds));
  await page.$eval('#tune', (e) => { (e as unknown as { dataset: Record<string, string> }).dataset['state'] = 'idle'; });
  await page.click('#tune-run');
  const got = await resultOf<TuneOutput>('tune');
  const want = JSON.parse(JSON.stringify(runTuning(params))) as TuneOutput;
  const mainThread = await page.evaluate(() => (globalThis as unknown as { __nsdiff: { mainThreadKernels: string } }).__nsdiff.mainThreadKernels);
  console.log(`${params.dataset}/${params.model}/${params.criterion}: Lasso kernels ${got.kernels} in Chromium's Web Worker, ${mainThread} on its main thread, ${want.kernels} in Node`);
  // the search, the curve and the selected λ are certified solutions (KKT to 1e-9, refined on the
  // support): equal to 1e-12. The coefficient path is a plain warm-started CD path (duality gap
  // 1e-8 relative to ‖y‖²/n); at small λ the collinear diabetes columns (s1, s2, s3, s5) make
  // its coefficients ill-conditioned (a gap of ε bounds the coefficient error by ~√(2ε/μ), μ the
  // smallest curvature), so last-bit differences of its λ grid (Math.pow of another V8 version)
  // move them far more than the rounding (the test prints the largest difference): compared to 1e-5 of
  // the largest coefficient at each λ — the solver's accuracy, not bit equality
  const { path: gotPath, kernels: _k1, ...gotRest } = got;
  const { path: wantPath, kernels: _k2, ...wantRest } = want;
  assertClose(gotRest, wantRest, 1e-12);
  assertClose(gotPath.lambdas, wantPath.lambdas, 1e-12, '$.path.lambdas');
  let worst = 0;
  wantPath.coefs.forEach((row, k) => {
    const scale = Math.max(1, ...row.map(Math.abs));
    row.forEach((w, j) => worst = Math.max(worst, Math.abs(gotPath.coefs[k]![j]! - w) / scale));
    row.forEach((w, j) => assert.ok(Math.abs(gotPath.coefs[k]![j]! - w) <= 1e-5 * scale, `path.coefs[${k}][${j}]: ${gotPath.coefs[k]![j]} in the browser, ${w} in Node`));
  });
  const unequal = wantPath.lambdas.filter((l, k) => gotPath.lambdas[k] !== l).length;
  console.log(`  coefficient path: ${unequal} of ${wantPath.lambdas.length} λ differ in the last bits; largest coefficient difference ${worst.toExponential(1)} of the largest coefficient`);
  assert.ok((await page.$eval('#tune-curve', (e) => e.innerHTML)).startsWith('<svg'));
  assert.ok((await page.$eval('#tune-path', (e) => e.innerHTML)).startsWith('<svg'));
  assert.match(await page.$eval('#tune-status', (e) => e.textContent ?? ''), /done in .* Web Worker/);
}

test('tuning panel in the Web Worker equals Node: Lasso with 5-fold CV on diabetes, elastic net held-out on breast_cancer', { skip }, async () => {
  await checkTuning({ dataset: 'breast_cancer', model: 'enet', criterion: 'heldout', folds: 5, standardize: true });
  await shot('tune', 'tune-enet');
  await checkTuning({ dataset: 'diabetes', model: 'lasso', criterion: 'cv', folds: 5, standardize: true });
  await shot('tune');
});

test('kink explorer: every function at its kink under every policy equals Node', { skip }, async () => {
  for (const fn of Object.keys(KINK_FUNCTIONS)) {
    for (const policy of ['minNorm', 'left', 'right', 'fixed:0.25', 'random:1']) {
      await page.select('#kink-fn', fn);
      await page.select('#kink-policy', policy);
      const got = await resultOf<KinkOutput>('kink');
      assertClose(got, JSON.parse(JSON.stringify(exploreKink(fn, KINK_FUNCTIONS[fn]!.kinks[0]!, policy))), 1e-12, `${fn}/${policy}`);
    }
  }
  // the spurious derivative of relu(x) − relu(−x) at 0 is shown as outside the Clarke set
  await page.select('#kink-fn', 'spurious');
  await page.select('#kink-policy', 'minNorm');
  assert.equal((await resultOf<KinkOutput>('kink')).inClarke, false);
  assert.match(await page.$eval('#kink-verdict', (e) => e.textContent ?? ''), /NOT in the Clarke/);
  await shot('kink');
});

test('cycles and Lorenz: refused by default with the diagnostic shown, then the pseudo-inverse dynamics equal Node', { skip }, async () => {
  for (const [panel, run] of [['cycles', () => runCycles(300)], ['lorenz', () => runLorenz(1000)]] as const) {
    await page.click(`#${panel}-run`);
    const got = await resultOf<DynamicsOutput>(panel);
    const want = JSON.parse(JSON.stringify(run())) as DynamicsOutput;
    assert.equal(got.refusal.refused, true);
    assert.equal(got.refusal.name, 'InvertibilityError');
    assertClose(got, want, 1e-12, panel);
    assert.match(await page.$eval(`#${panel}-refusal`, (e) => e.textContent ?? ''), /default settings refuse — InvertibilityError/);
    await shot(panel);
  }
  await page.screenshot({ path: join(SHOTS, 'page.png'), fullPage: true });
  assert.deepEqual(pageErrors, []);
});

test('the kernel pool on Web Workers: a 512×512 matmul and a tall Lasso solve on 2 threads in an isolated page equal 1 thread bit for bit; not isolated: one thread', { skip }, async () => {
  const { build } = await import('esbuild');
  const dir = join(ROOT, 'out/web-threads');
  mkdirSync(dir, { recursive: true });
  await build({ entryPoints: [join(ROOT, 'test/fixtures/web_threads.ts')], bundle: true, platform: 'browser', format: 'esm', target: 'es2022', outfile: join(dir, 'threads.js'), logLevel: 'warning' });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="threads.js"></script><body>threads</body>');
  type Report = { isolated: boolean; host: string | null; ready: number; workerChunks: number; equal: boolean };
  for (const isolate of [true, false]) {
    const served = await serveStatic(dir, 0, { isolate });
    const p = await browser!.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    try {
      await p.goto(served.url);
      await p.waitForFunction(() => typeof (globalThis as unknown as { __threads?: unknown }).__threads === 'function', { timeout: 10_000 });
      const r = await p.evaluate((n) => (globalThis as unknown as { __threads: (n: number) => Promise<unknown> }).__threads(n), 512) as Report;
      console.log(`  ${isolate ? 'isolated' : 'not isolated'}: ${JSON.stringify(r)}`);
      assert.equal(r.isolated, isolate);
      assert.equal(r.equal, true, '2 threads give the bits of 1 thread');
      // the Lasso's row-split kernels with their spinning partner thread (src/kernels/team.ts)
      const t = await p.evaluate(() => (globalThis as unknown as { __team: () => Promise<unknown> }).__team()) as { partners: number; partnerChunks: number; equal: boolean };
      console.log(`  ${isolate ? 'isolated' : 'not isolated'}, tall Lasso: ${JSON.stringify(t)}`);
      assert.equal(t.equal, true, 'a tall Lasso solve on 2 threads gives the coefficients of 1 thread');
      if (isolate) {
        assert.equal(r.host, 'web');
        assert.ok(r.workerChunks > 0, 'a Web Worker computed row chunks');
        assert.ok(t.partnerChunks > 0, 'a partner Web Worker computed Lasso chunks');
      } else {
        assert.equal(r.host, null);
        assert.equal(r.workerChunks, 0);
        assert.equal(t.partnerChunks, 0);
      }
      assert.deepEqual(errors, []);
    } finally {
      await p.close();
      served.server.close();
    }
  }
});
