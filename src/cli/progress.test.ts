import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Eta, formatEta } from './progress.ts';

describe('progress ETA', () => {
  it('formats seconds rounded once: never 2m60s', () => {
    assert.equal(formatEta(0), '0s');
    assert.equal(formatEta(42.4), '42s');
    assert.equal(formatEta(59.6), '1m00s');
    assert.equal(formatEta(179.7), '3m00s');
    assert.equal(formatEta(125), '2m05s');
    assert.equal(formatEta(3599.4), '59m59s');
    assert.equal(formatEta(3600), '1h00m');
    assert.equal(formatEta(4020), '1h07m');
    assert.equal(formatEta(NaN), '…');
  });

  it('is unknown until a unit is done, then the average pace since the start × units left', () => {
    const eta = new Eta(0, 1000);
    assert.ok(Number.isNaN(eta.seconds(0, 100, 1000)));
    assert.ok(Number.isNaN(eta.seconds(0, 100, 5000)), 'no unit done yet: no estimate, not 0s');
    assert.equal(eta.seconds(10, 100, 21_000), 180); // 2 s per unit, 90 left
    // One slow unit (a validation taking 20 s) moves the average pace, not the whole estimate.
    assert.equal(eta.seconds(11, 100, 41_000), (40 / 11) * 89);
    assert.equal(eta.seconds(100, 100, 99_000), 0);
  });

  it("a resumed run's earlier units do not count", () => {
    const eta = new Eta(150, 0);
    assert.ok(Number.isNaN(eta.seconds(150, 300, 3000)));
    assert.equal(eta.seconds(160, 300, 10_000), 140);
  });
});
