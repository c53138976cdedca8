/**
 * Parser for the IDX format of the original MNIST files (LeCun et al.): a big-endian header —
 * two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions — then each
 * dimension's size as a 32-bit integer, then the data.
 */

/** A problem with an IDX file's contents. */
export class IdxError extends Error {}

/** A parsed IDX array of unsigned bytes. */
export interface IdxArray {
  shape: number[];
  data: Uint8Array;
}

/** Parses an unsigned-byte IDX file, checking the magic number, rank and total size. */
export function parseIdx(bytes: Uint8Array, expectedRank: number): IdxArray {
  if (bytes.length < 4) throw new IdxError(`file is too short for an IDX header (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const expectedMagic = 0x0800 | expectedRank;
  if (magic !== expectedMagic) {
    throw new IdxError(`bad magic number 0x${magic.toString(16).padStart(8, '0')}, expected 0x${expectedMagic.toString(16).padStart(8, '0')}`);
  }
  const headerSize = 4 + 4 * expectedRank;
  if (bytes.length < headerSize) throw new IdxError(`file is too short for its header (${bytes.length} bytes)`);
  const shape = Array.from({ length: expectedRank }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== headerSize + size) {
    throw new IdxError(`holds ${bytes.length - headerSize} data bytes, but its header (shape ${shape.join('×')}) says ${size}: the file is truncated or corrupt`);
  }
  return { shape, data: bytes.subarray(headerSize) };
}
