import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBlob, decodeOptimizee, encodeBlob, encodeOptimizee } from './blobs.ts';
import { base64ToFloats, connectionOptions, floatsToBase64 } from './protocol.ts';

describe('state blobs', () => {
  it('an optimizee state (θ, LSTM states, base and teacher states, gradient) round-trips exactly', () => {
    const f = (n: number, x: number) => Float32Array.from({ length: n }, (_, i) => x + i / 7);
    const saved = {
      theta: f(5, 1),
      lstm: { count: 7, h: [f(10, 2), f(10, 3)], c: [f(10, 4), f(10, 5)], m: f(5, 6), v: f(5, 7) },
      base: { count: 7, arrays: { v: f(5, 8) } },
      teacher: { count: 7, arrays: { m: f(5, 9), v: f(5, 10) } },
      step: 41,
      grad: f(5, 11),
    };
    assert.deepEqual(decodeOptimizee(encodeOptimizee(saved)), saved);
    const plain = { ...saved, base: null, teacher: undefined, grad: null, lstm: { count: 0, h: [f(2, 1)], c: [f(2, 2)] } };
    const back = decodeOptimizee(encodeOptimizee(plain));
    assert.equal(back.base, null);
    assert.equal(back.teacher, undefined);
    assert.equal(back.grad, null);
    assert.equal(back.lstm.m, undefined);
  });

  it('a blob whose header claims more or fewer floats than it holds is refused before anything is allocated', () => {
    const good = encodeBlob({ meta: { a: 1 }, arrays: [['x', Float32Array.of(1, 2, 3)]] });
    assert.deepEqual(Array.from(decodeBlob(good).arrays[0][1]), [1, 2, 3]);
    assert.throws(() => decodeBlob(good.subarray(0, good.length - 4)), /corrupt state blob: its header claims 3 floats, it holds 2/);
    const lying = Buffer.from(good);
    const header = Buffer.from(JSON.stringify({ meta: {}, arrays: [['x', 1e12]] }));
    const forged = Buffer.concat([Buffer.alloc(4), header, Buffer.alloc(12)]);
    forged.writeUInt32LE(header.length, 0);
    assert.throws(() => decodeBlob(forged), /its header claims 1000000000000 floats, it holds 3/);
    assert.throws(() => decodeBlob(Buffer.from([1, 2])), /shorter than its header length/);
    assert.ok(lying.length > 0);
  });

  it('meta-gradients travel as base64 floats exactly, and Redis URLs are read or refused', () => {
    const g = Float32Array.of(1.5, -2.25, 3e-8, 0);
    assert.deepEqual(base64ToFloats(floatsToBase64(g)), g);
    assert.deepEqual(connectionOptions('redis://user:pw@10.0.0.5:6380/2'), { host: '10.0.0.5', port: 6380, username: 'user', password: 'pw', db: 2, maxRetriesPerRequest: null });
    assert.throws(() => connectionOptions('http://x'), /not a Redis URL: 'http:\/\/x' \(expected redis:\/\/HOST:PORT\)/);
  });
});
