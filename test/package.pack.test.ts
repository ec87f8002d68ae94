/**
 * @file What `npm pack` ships, and that the packed package installs and works: the file list of
 * `npm pack --dry-run --json` (LICENSE, README, package.json, dist with declarations, the bundled
 * data, the docs and API reports; no sources, tests, source maps or node_modules), then the real
 * tarball installed offline into a fresh temporary project (`npm ci --offline` with a lockfile that
 * pins the two runtime dependencies to the entries of this repository's package-lock.json, whose
 * tarballs `npm install` put in the npm cache), imported through the "exports" map from JavaScript
 * (both subpaths, the bundled data, the `nsdiff` bin) and type-checked from TypeScript (NodeNext).
 *
 * dist/ is rebuilt first (`npm run build`) when it is missing or older than a file under src/. The build
 * emits the JavaScript without comments and the declarations with their TSDoc (two tsc passes).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { ROOT } from '../scripts/api-report.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string; version: string; dependencies: Record<string, string>; bin: Record<string, string>;
  exports: Record<string, string | Record<string, string>>; engines: Record<string, string>;
};

/** Runs a command; throws with its output when it fails. */
function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT, timeout: 300_000, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}, ${r.error ?? ''}):\n${r.stdout}\n${r.stderr}`);
  return String(r.stdout);
}

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

let tmp = '';
before(() => {
  const built = join(ROOT, 'dist/index.js');
  if (!existsSync(built) || statSync(built).mtimeMs < newestMtime(join(ROOT, 'src'))) run('npm', ['run', 'build']);
  tmp = mkdtempSync(join(tmpdir(), 'nsdiff-pack-'));
});
after(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

interface PackResult { filename: string; files: { path: string; size: number }[]; unpackedSize: number }

test('npm pack --dry-run ships LICENSE, README, dist, data and docs, and nothing of the development tree', () => {
  const [res] = JSON.parse(run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'])) as PackResult[];
  const files = res!.files.map((f) => f.path);
  for (const required of ['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.d.ts', 'dist/internals.js', 'dist/internals.d.ts', 'dist/node.js', 'dist/node.d.ts', 'data/diabetes.csv', 'docs/implicit.md', 'api/nsdiff.api.md']) {
    assert.ok(files.includes(required), `${required} is not in the package`);
  }
  // every target of "exports" and "bin" is shipped
  const targets = [...Object.values(pkg.exports).flatMap((e) => (typeof e === 'string' ? [e] : Object.values(e))), ...Object.values(pkg.bin)];
  for (const t of targets) assert.ok(files.includes(t.replace(/^\.\//, '')), `package.json points to ${t}, which is not in the package`);
  const unwanted = files.filter((f) =>
    /^(src|test|bench|examples|scripts|node_modules|out|\.ci)\//.test(f) || f.includes('/node_modules/') ||
    /\.map$/.test(f) || /\.tsbuildinfo$/.test(f) || (/\.ts$/.test(f) && !/\.d\.ts$/.test(f)) || f === 'docs/api/index.html');
  assert.deepEqual(unwanted, [], 'files that should not be in the package');
  // budget 6.15 MB: 5 MB before the bin's script bundle and V8 code cache (≈ 0.85 MB, src/cli/code_cache.ts),
  // 6 MB before the shared-memory variants of the Lasso modules (team.ts; ≈ 25 KB of base64 in each of
  // the three builds that embed them), 6.1 MB before the four-row loops of the block-epoch kernels
  // (lasso.wat; ≈ 3 KB of base64 per variant and build)
  assert.ok(res!.unpackedSize < 6.15e6, `unpacked size ${res!.unpackedSize} B (budget 6.15 MB)`);
  // the build strips comments from the JavaScript only: the declarations keep their TSDoc
  const dts = readFileSync(join(ROOT, 'dist/lasso/cd.d.ts'), 'utf8');
  assert.ok(/@example/.test(dts), 'dist/lasso/cd.d.ts lost its TSDoc');
  assert.ok(!/@file/.test(readFileSync(join(ROOT, 'dist/lasso/cd.js'), 'utf8')), 'dist/lasso/cd.js still carries comments');
});

test('the packed tarball installs offline into a fresh project, imports (all three subpaths) and type-checks', () => {
  const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp])) as PackResult[];
  const tarball = `file:../${packed[0]!.filename}`;
  const app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module', dependencies: { [pkg.name]: tarball } }));
  // a lockfile that pins nsdiff's runtime dependencies to this repository's (cached) versions
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const packages: Record<string, unknown> = {
    '': { name: 'app', version: '1.0.0', dependencies: { [pkg.name]: tarball } },
    [`node_modules/${pkg.name}`]: { version: pkg.version, resolved: tarball, license: 'MIT', dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path.startsWith('node_modules/') && !entry.dev) packages[path] = entry;
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify({ name: 'app', version: '1.0.0', lockfileVersion: 3, requires: true, packages }));
  run('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: app });

  writeFileSync(join(app, 'main.js'), `
    import { grad, relu, sum, tensor, loadDataset, lasso } from 'nsdiff';
    import { PRIMITIVES, Prim, reluDef } from 'nsdiff/internals';
    import { loadCsv, datasetPath } from 'nsdiff/node';
    const fromFile = loadCsv(datasetPath('diabetes'), { target: 'target' }).nSamples;
    const g = grad((v) => sum(relu(v)))(tensor([-1, 0, 2])).toArray();
    const { X, y } = loadDataset('diabetes');
    let deep = 'resolved';
    try { await import('nsdiff/dist/ops/reduce.js'); } catch (e) { deep = e.code; }
    console.log(JSON.stringify({ g, n: X.nRows, converged: lasso(X, y, 1).converged, registry: PRIMITIVES[Prim.Relu] === reluDef, fromFile, deep }));
  `);
  const out = JSON.parse(run(process.execPath, ['main.js'], { cwd: app }));
  assert.deepEqual(out, { g: [0, 0, 1], n: 442, converged: true, registry: true, fromFile: 442, deep: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
  assert.match(run(join(app, 'node_modules/.bin/nsdiff'), ['--help'], { cwd: app }), /Usage: nsdiff/);

  // a strict TypeScript consumer resolves the declarations through "exports" (NodeNext)
  writeFileSync(join(app, 'consumer.ts'), `
    import { grad, sum, relu, tensor, type Tensor } from 'nsdiff';
    import { checkOptions } from 'nsdiff/internals';
    const g: Tensor = grad((v: Tensor) => sum(relu(v)))(tensor([1, 2]));
    checkOptions({}, ['a'], 'f()');
    export { g };
  `);
  const program = ts.createProgram([join(app, 'consumer.ts')], {
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022,
    strict: true, noEmit: true, skipLibCheck: true, typeRoots: [join(ROOT, 'node_modules/@types')], types: ['node'],
  });
  const diags = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  assert.deepEqual(diags, []);
  const resolved = program.getSourceFiles().map((f) => f.fileName).filter((f) => f.includes(`node_modules/${pkg.name}/`));
  assert.ok(resolved.some((f) => f.endsWith('dist/index.d.ts')) && resolved.some((f) => f.endsWith('dist/internals.d.ts')), `declarations not resolved from the package: ${resolved.join(', ')}`);
});
