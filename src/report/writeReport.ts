/** Writes results.json, loss.svg, loss.png and summary.md into a directory (Node only). */
import fs from 'node:fs';
import path from 'node:path';
import type { Results } from '../eval/compare.ts';
import { writeFileAtomic } from '../io/atomicWrite.ts';
import { renderSvg, svgToPng } from './chart.ts';
import { lossChartSpec } from './chartSpec.ts';
import { summaryMarkdown } from './summary.ts';

/** Writes the full report for `results` into `dir` and returns the file paths. */
export async function writeReport(dir: string, results: Results, command: string): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const svg = await renderSvg(lossChartSpec(results));
  const files: Array<[string, string | Uint8Array]> = [
    ['results.json', JSON.stringify({ ...results, command, createdAt: new Date().toISOString() }, jsonNumber, 1) + '\n'],
    ['loss.svg', svg],
    ['loss.png', svgToPng(svg)],
    ['summary.md', summaryMarkdown(results, command)],
  ];
  return files.map(([name, data]) => {
    const file = path.join(dir, name);
    writeFileAtomic(file, data);
    return file;
  });
}

/** JSON has no Infinity or NaN: they are written as null (a diverged value). */
function jsonNumber(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}
