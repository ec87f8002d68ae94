/**
 * @file The API report: every export of the package entry points (`nsdiff` = src/index.ts,
 * `nsdiff/internals` = src/internals.ts, `nsdiff/node` = src/node.ts) with its kind and signature, read with the TypeScript
 * compiler API, written to api/*.api.md (api-extractor style: checked in, so that a change of the
 * public surface shows up in review).
 *
 * Usage: `npm run api:report` (rewrite the reports), `npm run api:check` (exit 1 and print a diff
 * when a report is out of date). test/package.api.test.ts runs the same check.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Repository root (the folder of package.json). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The entry points: package subpath, source file, report file. */
export const ENTRY_POINTS = [
  { subpath: 'nsdiff', source: 'src/index.ts', report: 'api/nsdiff.api.md' },
  { subpath: 'nsdiff/internals', source: 'src/internals.ts', report: 'api/nsdiff-internals.api.md' },
  { subpath: 'nsdiff/node', source: 'src/node.ts', report: 'api/nsdiff-node.api.md' },
] as const;

const FORMAT = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;

/** Collapses the whitespace of a source snippet to single spaces (stable across reformatting). */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').replace(/\{ \}/g, '{}').trim();
}

function isHidden(decl: ts.Declaration): boolean {
  const flags = ts.getCombinedModifierFlags(decl);
  if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return true;
  const name = ts.getNameOfDeclaration(decl);
  return name !== undefined && ts.isPrivateIdentifier(name);
}

class Reporter {
  constructor(private readonly checker: ts.TypeChecker) {}

  private typeOf(sym: ts.Symbol, at: ts.Node): string {
    return this.checker.typeToString(this.checker.getTypeOfSymbolAtLocation(sym, at), at, FORMAT);
  }

  private signatures(prefix: string, sigs: readonly ts.Signature[], at: ts.Node): string[] {
    return sigs.map((s) => `${prefix}${this.checker.signatureToString(s, at, FORMAT)}`);
  }

  /**
   * The members of a class instance type, an interface or a static side that `owner` declares
   * itself (inherited ones are read from the `extends` clause), one line each.
   */
  private members(type: ts.Type, at: ts.Node, owner: readonly ts.Declaration[], skip: (name: string) => boolean = () => false): string[] {
    const out: string[] = [];
    for (const m of this.checker.getPropertiesOfType(type)) {
      // a computed symbol key (`[INSPECT]`) is named `__@INSPECT@<symbol id>` by the checker, an id
      // that moves whenever code is added anywhere: report it as `[INSPECT]`
      const name = m.getName().replace(/^__@(.+)@\d+$/, '[$1]');
      const decl = m.valueDeclaration ?? m.declarations?.[0];
      if (skip(name) || (decl && isHidden(decl))) continue;
      if (!m.declarations?.some((d) => owner.includes(ownerOf(d)))) continue;
      const ro = decl && ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Readonly ? 'readonly ' : '';
      const opt = m.flags & ts.SymbolFlags.Optional ? '?' : '';
      if (m.flags & ts.SymbolFlags.Method) {
        const t = this.checker.getTypeOfSymbolAtLocation(m, at);
        out.push(...this.signatures(`${name}${opt}`, t.getCallSignatures(), at));
      } else if (m.flags & ts.SymbolFlags.GetAccessor && !(m.flags & ts.SymbolFlags.SetAccessor)) {
        out.push(`get ${name}(): ${this.typeOf(m, at)}`);
      } else {
        out.push(`${ro}${name}${opt}: ${this.typeOf(m, at)}`);
      }
    }
    return out;
  }

  /** Report lines of one exported symbol under its exported name. */
  entry(name: string, exported: ts.Symbol): string[] {
    const sym = exported.flags & ts.SymbolFlags.Alias ? this.checker.getAliasedSymbol(exported) : exported;
    const decls = sym.declarations ?? [];
    const at = decls[0] ?? exported.declarations![0]!;
    const f = sym.flags;
    const lines: string[] = [];
    const body = (items: string[]): void => { for (const l of items) lines.push(`    ${l}`); };
    if (f & ts.SymbolFlags.Module && decls.some((d) => ts.isSourceFile(d) || ts.isModuleDeclaration(d))) {
      lines.push(`namespace ${name}`);
      for (const m of this.checker.getExportsOfModule(sym).sort(byName)) {
        for (const l of this.entry(m.getName(), m)) lines.push(`    ${l}`);
      }
      return lines;
    }
    if (f & ts.SymbolFlags.Class) {
      const decl = decls.find(ts.isClassDeclaration)!;
      const heritage = decl.heritageClauses?.map((h) => oneLine(h.getText())).join(' ');
      const abs = ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Abstract ? 'abstract ' : '';
      lines.push(`${abs}class ${name}${typeParams(decl)}${heritage ? ` ${heritage}` : ''}`);
      const ctor = this.checker.getTypeOfSymbolAtLocation(sym, at);
      body(this.signatures('constructor', ctor.getConstructSignatures().filter((s) => s.declaration?.parent === decl || !s.declaration), at));
      body(this.members(ctor, at, decls, (n) => n === 'prototype').map((l) => `static ${l}`));
      body(this.members(this.checker.getDeclaredTypeOfSymbol(sym), at, decls));
      return lines;
    }
    if (f & ts.SymbolFlags.Enum) {
      lines.push(`enum ${name}`);
      for (const m of this.checker.getExportsOfModule(sym)) {
        const d = m.valueDeclaration as ts.EnumMember;
        lines.push(`    ${m.getName()} = ${JSON.stringify(this.checker.getConstantValue(d))}`);
      }
      return lines;
    }
    if (f & ts.SymbolFlags.Function) {
      const t = this.checker.getTypeOfSymbolAtLocation(sym, at);
      lines.push(...this.signatures(`function ${name}`, t.getCallSignatures(), at));
    } else if (f & ts.SymbolFlags.Variable) {
      const decl = decls.find(ts.isVariableDeclaration);
      const kw = decl && decl.parent.flags & ts.NodeFlags.Const ? 'const' : 'let';
      lines.push(`${kw} ${name}: ${this.typeOf(sym, at)}`);
    }
    if (f & ts.SymbolFlags.Interface) {
      const decl = decls.find(ts.isInterfaceDeclaration)!;
      const heritage = decl.heritageClauses?.map((h) => oneLine(h.getText())).join(' ');
      lines.push(`interface ${name}${typeParams(decl)}${heritage ? ` ${heritage}` : ''}`);
      body(this.members(this.checker.getDeclaredTypeOfSymbol(sym), at, decls));
    }
    if (f & ts.SymbolFlags.TypeAlias) {
      const decl = decls.find(ts.isTypeAliasDeclaration)!;
      lines.push(`type ${name}${typeParams(decl)} = ${oneLine(decl.type.getText())}`);
    }
    if (lines.length === 0) lines.push(`unknown ${name} (symbol flags ${f})`);
    return lines;
  }
}

/** The class or interface that declares a member (a constructor's parameter property: its class). */
function ownerOf(d: ts.Declaration): ts.Declaration {
  return (ts.isParameter(d) ? d.parent.parent : d.parent) as ts.Declaration;
}

function typeParams(decl: ts.ClassDeclaration | ts.InterfaceDeclaration | ts.TypeAliasDeclaration): string {
  return decl.typeParameters ? `<${decl.typeParameters.map((p) => oneLine(p.getText())).join(', ')}>` : '';
}

function byName(a: ts.Symbol, b: ts.Symbol): number {
  return a.getName() < b.getName() ? -1 : a.getName() > b.getName() ? 1 : 0;
}

/** Builds one TypeScript program over the entry points (the repository's compiler options). */
export function createProgram(rootNames: string[], extraOptions: ts.CompilerOptions = {}): ts.Program {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  });
  if (!parsed) throw new Error('api-report: cannot read tsconfig.json');
  return ts.createProgram({ rootNames, options: { ...parsed.options, noEmit: true, ...extraOptions } });
}

/** The text of every report, keyed by report path (relative to the repository root). */
export function generateReports(): Map<string, string> {
  const program = createProgram(ENTRY_POINTS.map((e) => join(ROOT, e.source)));
  const checker = program.getTypeChecker();
  const reporter = new Reporter(checker);
  const reports = new Map<string, string>();
  for (const e of ENTRY_POINTS) {
    const file = program.getSourceFile(join(ROOT, e.source));
    if (!file) throw new Error(`api-report: ${e.source} not found`);
    const moduleSymbol = checker.getSymbolAtLocation(file);
    if (!moduleSymbol) throw new Error(`api-report: ${e.source} is not a module`);
    const exports = checker.getExportsOfModule(moduleSymbol).sort(byName);
    const values = exports.filter((s) => {
      const t = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      return (t.flags & ts.SymbolFlags.Value) !== 0;
    }).length;
    const out = [
      `# API report: \`${e.subpath}\``,
      '',
      `<!-- Generated from ${e.source} by \`npm run api:report\`. Do not edit: a change here is a change of the package's surface. -->`,
      '',
      `${exports.length} exports (${values} runtime values, ${exports.length - values} types only).`,
      '',
      '```ts',
    ];
    for (const s of exports) out.push(...reporter.entry(s.getName(), s));
    out.push('```', '');
    reports.set(e.report, out.join('\n'));
  }
  return reports;
}

/** Reports whose checked-in text differs from the generated one, with the first differing lines. */
export function staleReports(reports: Map<string, string> = generateReports()): string[] {
  const problems: string[] = [];
  for (const [path, text] of reports) {
    const file = join(ROOT, path);
    const old = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (old === text) continue;
    const a = new Set(old.split('\n')), b = new Set(text.split('\n'));
    const removed = old.split('\n').filter((l) => !b.has(l)).slice(0, 15).map((l) => `  - ${l}`);
    const added = text.split('\n').filter((l) => !a.has(l)).slice(0, 15).map((l) => `  + ${l}`);
    problems.push(`${path} is out of date (run \`npm run api:report\` and commit it if the change is deliberate):\n${[...removed, ...added].join('\n')}`);
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const reports = generateReports();
  if (process.argv.includes('--check')) {
    const problems = staleReports(reports);
    for (const p of problems) console.error(p);
    process.exit(problems.length ? 1 : 0);
  }
  for (const [path, text] of reports) {
    mkdirSync(dirname(join(ROOT, path)), { recursive: true });
    writeFileSync(join(ROOT, path), text);
    console.log(`wrote ${path}`);
  }
}
