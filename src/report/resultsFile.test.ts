import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isResultsIndex, parseResults, parseResultsIndex, resultsIndex, ResultsFileError } from './resultsFile.ts';

const results = () => ({
  task: 'quadratic',
  steps: 2,
  runs: 1,
  optimizers: [{ name: 'adam', learningRate: 0.1, meanLoss: [3, 2, null], medianLoss: [3, 2, 1], q25Loss: [3, 2, 1], q75Loss: [3, 2, 1], diverged: 1 }],
});

describe('results files', () => {
  it('reads a results file back, a null (diverged) value as +Infinity', () => {
    const r = parseResults(JSON.parse(JSON.stringify(results())));
    assert.deepEqual(r.optimizers[0].meanLoss, [3, 2, Infinity]);
    assert.equal(r.optimizers[0].name, 'adam');
  });

  it('names what is wrong with a bad results file', () => {
    assert.throws(() => parseResults({ hello: 1 }), (e: unknown) => e instanceof ResultsFileError && /not a results file/.test(e.message));
    assert.throws(() => parseResults({ ...results(), optimizers: [] }), /no optimizers/);
    const short = results();
    short.optimizers[0].q75Loss = [1, 2];
    assert.throws(() => parseResults(short), /optimizer 'adam': q75Loss must be 3 numbers/);
  });

  it('a reproduction index lists each panel with its results path, and round-trips', () => {
    const index = resultsIndex('Figures', [{ id: 'fig4-quadratic', title: 'Fig. 4' }]);
    assert.deepEqual(index.panels, [{ id: 'fig4-quadratic', title: 'Fig. 4', results: 'fig4-quadratic/results.json' }]);
    assert.ok(isResultsIndex(index) && !isResultsIndex(results()));
    assert.deepEqual(parseResultsIndex(JSON.parse(JSON.stringify(index))), index);
    assert.throws(() => parseResultsIndex({ ...index, panels: [] }), /no panels/);
  });
});
