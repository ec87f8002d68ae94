/**
 * @file The benchmarks' table printer: a Markdown table with right-aligned, width-padded columns,
 * readable in a terminal and pasteable into docs/ as it is.
 */

/**
 * Prints `rows` under `header` as a Markdown table (cells converted with `String`).
 *
 * @example
 * table(['n', 'ms'], [[64, '0.12'], [128, '0.80']]);
 * // | n   |   ms |  …
 */
export function table(header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, j) => Math.max(...cells.map((r) => r[j]!.length)));
  const line = (r: string[]): string => '| ' + r.map((c, j) => c.padStart(widths[j]!)).join(' | ') + ' |';
  console.log(line(header));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of cells.slice(1)) console.log(line(r));
}
