/**
 * Where the results page gets its data: a results index (a reproduction: several panels) or a
 * single results.json, fetched from a URL or read from a file the user picked.
 */
import type { Results } from '../../../src/eval/compare.ts';
import { isResultsIndex, parseResults, parseResultsIndex, ResultsFileError } from '../../../src/report/resultsFile.ts';

/** A panel the page can show; `load` fetches and validates its results on demand. */
export interface Panel {
  id: string;
  title: string;
  load: () => Promise<Results>;
}

/** The results bundled with the app: the repository's own reproduction of Figures 4 and 5. */
export const BUNDLED_RESULTS = 'results/index.json';

/** The panels behind `url`: every panel of an index, or the one comparison of a results.json. */
export async function panelsFromUrl(url: string): Promise<Panel[]> {
  const absolute = new URL(url, document.baseURI);
  const json = await fetchJson(absolute);
  if (isResultsIndex(json)) {
    return parseResultsIndex(json).panels.map((p) => ({
      id: p.id,
      title: p.title,
      load: async () => withContext(p.results, () => fetchJson(new URL(p.results, absolute)).then(parseResults)),
    }));
  }
  const results = withContextSync(url, () => parseResults(json));
  return [{ id: 'results', title: titleOf(results, url), load: async () => results }];
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
