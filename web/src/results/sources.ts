/**
 * Where the results page gets its data: a results index (a reproduction: several panels) or a
 * single results.json, fetched from a URL or read from a file the user picked.
 */
import type { Results } from '../../../src/eval/compare.ts';
import type { OptimizerScore, TaskScore } from '../../../src/generalize/score.ts';
import { isResultsIndex, parseResults, parseResultsIndex, ResultsFileError } from '../../../src/report/resultsFile.ts';

/** A panel the page can show; `load` fetches and validates its results on demand. */
export interface Panel {
  id: string;
  title: string;
  load: () => Promise<Results>;
}

/** The results bundled with the app: the repository's own reproduction of Figures 4 and 5, and its generalization grid. */
export const BUNDLED_RESULTS = 'results/index.json';

/** The bundled result sets the page offers, by label. */
export const BUNDLED_SOURCES: Array<{ label: string; url: string }> = [
  { label: 'Reproduction of Figures 4 and 5 (l2l reproduce)', url: BUNDLED_RESULTS },
  { label: 'Generalization grid (l2l generalize)', url: 'generalize/index.json' },
];

/** What a URL holds: its panels, and a generalization run's scores when it is one. */
export interface ResultSet {
  panels: Panel[];
  generalize?: { tasks: TaskScore[]; command?: string };
}

/** The panels behind `url`: every panel of an index (with a generalization run's scores), or the one comparison of a results.json. */
export async function resultSetFromUrl(url: string): Promise<ResultSet> {
  const absolute = new URL(url, document.baseURI);
  const json = await fetchJson(absolute);
  if (isResultsIndex(json)) {
    const index = parseResultsIndex(json);
    const panels = index.panels.map((p) => ({
      id: p.id,
      title: p.title,
      load: async () => withContext(p.results, () => fetchJson(new URL(p.results, absolute)).then(parseResults)),
    }));
    if (!index.generalize) return { panels };
    const scores = await withContext(index.generalize, () => fetchJson(new URL(index.generalize!, absolute)).then(parseGeneralize));
    return { panels, generalize: scores };
  }
  const results = withContextSync(url, () => parseResults(json));
  return { panels: [{ id: 'results', title: titleOf(results, url), load: async () => results }] };
}

/** The scores of a generalize.json, checked enough to draw them (non-finite ratios are written as null). */
function parseGeneralize(json: unknown): { tasks: TaskScore[]; command?: string } {
  const g = json as { format?: string; tasks?: TaskScore[]; command?: string };
  if (g?.format !== 'l2l-generalize' || !Array.isArray(g.tasks)) throw new ResultsFileError('not a generalize.json written by l2l generalize');
  const finite = (x: unknown) => (typeof x === 'number' ? x : Infinity);
  const score = (o: OptimizerScore): OptimizerScore => ({ ...o, finalLoss: finite(o.finalLoss), ratio: finite(o.ratio) });
  const tasks = g.tasks.map((t, i) => {
    if (typeof t?.title !== 'string' || !t.learned || !Array.isArray(t.baselines)) throw new ResultsFileError(`generalize.json task ${i} needs a title, learned and baselines`);
    return { ...t, ratio: finite(t.ratio), learned: score(t.learned), baselines: t.baselines.map(score) };
  });
  return { tasks, command: g.command };
}

/** The one comparison in a picked file (an index cannot be opened this way: its panels are separate files). */
export async function panelsFromFile(file: File): Promise<Panel[]> {
  let json: unknown;
  try {
    json = JSON.parse(await file.text());
  } catch {
    throw new ResultsFileError(`${file.name} is not JSON: open a results.json written by l2l compare or l2l reproduce`);
  }
  if (isResultsIndex(json)) throw new ResultsFileError(`${file.name} is a reproduction index: open one of its panels' results.json, or serve the folder and use ?results=…/index.json`);
  const results = withContextSync(file.name, () => parseResults(json));
  return [{ id: 'file', title: titleOf(results, file.name), load: async () => results }];
}

/** The panels behind `url` (see `resultSetFromUrl`). */
export async function panelsFromUrl(url: string): Promise<Panel[]> {
  return (await resultSetFromUrl(url)).panels;
}

function titleOf(results: Results, name: string): string {
  return `${results.task}, ${results.steps} steps (${name})`;
}

async function fetchJson(url: URL): Promise<unknown> {
  const response = await fetch(url);
  if (!response.ok) throw new ResultsFileError(`could not load ${url.href}: HTTP ${response.status}`);
  try {
    return await response.json();
  } catch {
    throw new ResultsFileError(`${url.href} is not JSON`);
  }
}

async function withContext<T>(name: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new ResultsFileError(`${name}: ${(error as Error).message}`);
  }
}

function withContextSync<T>(name: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw new ResultsFileError(`${name}: ${(error as Error).message}`);
  }
}
