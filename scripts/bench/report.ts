// The bench's output: a plain table on stdout, report.json and a hand-written SVG bar chart.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface Measure {
  /** The issue's item: issue 8's number (1–7), '16', '19.1' … for later issues, or 'seed'. */
  item: string;
  name: string;
  /** The measured value as a reader wants it, e.g. "4.1 ms" or "812/s". */
  value: string;
  /** measured ÷ reference, where the issue sets a target for it. */
  ratio?: number;
  /** Highest acceptable ratio. */
  target?: number;
  /** Lowest acceptable ratio (e.g. a throughput that must keep up with a reference). */
  atLeast?: number;
  /** Printed after the ratio and its bound: '×' unless the ratio is a count per operation (''). */
  unit?: string;
  /** A pass/fail check that is not a ratio (e.g. zero overlaps). */
  ok?: boolean;
}

/** PASS when every check the row carries holds, MISS when one fails, '' when it carries none. */
export function verdict(measure: Measure): 'PASS' | 'MISS' | '' {
  const checks: boolean[] = [];
  if (measure.ratio !== undefined && measure.target !== undefined) checks.push(measure.ratio <= measure.target);
  if (measure.ratio !== undefined && measure.atLeast !== undefined) checks.push(measure.ratio >= measure.atLeast);
  if (measure.ok !== undefined) checks.push(measure.ok);
  if (checks.length === 0) return '';
  return checks.every(Boolean) ? 'PASS' : 'MISS';
}

/** The bound as printed: "≤ 2×", "≥ 0.6×", "≤ 0.1". */
export function bound(measure: Measure): string {
  const unit = measure.unit ?? '×';
  return [
    measure.target === undefined ? '' : `≤ ${measure.target}${unit}`,
    measure.atLeast === undefined ? '' : `≥ ${measure.atLeast}${unit}`,
  ]
    .filter(Boolean)
    .join(', ');
}

export function table(measures: readonly Measure[]): string {
  const rows = [
    ['#', 'measure', 'value', 'ratio', 'target', ''],
    ...measures.map((measure) => [
      measure.item,
      measure.name,
      measure.value,
      measure.ratio === undefined ? '' : `${measure.ratio.toFixed(2)}${measure.unit ?? '×'}`,
      bound(measure),
      verdict(measure),
    ]),
  ];
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  return [line(rows[0]), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One horizontal bar per ratio with its bound as a tick; green within it, red beyond. */
export function chart(measures: readonly Measure[]): string {
  const rated = measures.filter((measure) => measure.ratio !== undefined && (measure.target ?? measure.atLeast) !== undefined);
  const tick = (measure: Measure) => (measure.target ?? measure.atLeast)!;
  const scaleMax = Math.max(2, ...rated.map((measure) => Math.max(measure.ratio!, tick(measure)))) * 1.1;
  const labelWidth = 360;
  const barWidth = 480;
  const rowHeight = 28;
  const height = 50 + rated.length * rowHeight + 30;
  const x = (ratio: number) => labelWidth + (ratio / scaleMax) * barWidth;
  const rows = rated.map((measure, index) => {
    const y = 40 + index * rowHeight;
    const colour = verdict(measure) === 'PASS' ? '#2e7d32' : '#c62828';
    return [
      `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeXml(`${measure.item}. ${measure.name}`)}</text>`,
      `<rect x="${labelWidth}" y="${y + 3}" width="${(x(measure.ratio!) - labelWidth).toFixed(1)}" height="16" fill="${colour}"/>`,
      `<line x1="${x(tick(measure)).toFixed(1)}" x2="${x(tick(measure)).toFixed(1)}" y1="${y}" y2="${y + 22}" stroke="#000" stroke-width="2"/>`,
      `<text x="${(x(measure.ratio!) + 6).toFixed(1)}" y="${y + 15}">${escapeXml(`${measure.ratio!.toFixed(2)}${measure.unit ?? '×'} (target ${bound(measure)})`)}</text>`,
    ].join('\n  ');
  });
  const axisY = 40 + rated.length * rowHeight + 8;
  const ticks = Array.from(
    { length: Math.floor(scaleMax) + 1 },
    (_, tick) => `<text x="${x(tick).toFixed(1)}" y="${axisY + 14}" text-anchor="middle">${tick}×</text>`,
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 200}" height="${height}" font-family="sans-serif" font-size="12">
  <text x="10" y="20" font-size="14" font-weight="bold">npm run bench: ratios (bar) vs targets (black tick)</text>
  ${rows.join('\n  ')}
  <line x1="${labelWidth}" x2="${labelWidth + barWidth}" y1="${axisY}" y2="${axisY}" stroke="#888"/>
  ${ticks.join('\n  ')}
</svg>
`;
}

/** Writes bench-results/<timestamp>/report.json and chart.svg; returns the folder. */
export async function writeResults(root: string, measures: readonly Measure[], details: unknown): Promise<string> {
  const folder = path.join(root, 'bench-results', new Date().toISOString().replace(/[:.]/g, '-'));
  await mkdir(folder, { recursive: true });
  const report = { measures: measures.map((measure) => ({ ...measure, verdict: verdict(measure) || undefined })), details };
  await writeFile(path.join(folder, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(path.join(folder, 'chart.svg'), chart(measures));
  return folder;
}
