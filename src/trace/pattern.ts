/**
 * pattern.ts — the payload pattern the validated replay writes into every block and checks later.
 * Exports `patternSeed`, `fillPattern`, `verifyPattern`, `patternByte`.
 *
 * Byte `k` of a block with seed `s` is byte `k & 3` (little-endian) of the 32-bit word
 * `w(k >> 2) = s + (k >> 2) · 0x9E3779B9 (mod 2^32)`: every word of a block differs, blocks of
 * different ids (and different lives of one id) get different seeds, and a realloc's grown tail is
 * the continuation of the same sequence, so after any chain of reallocs the whole block still
 * follows one formula. Whole words are written through the `u32` view (payloads are 8-aligned, so
 * word-aligned), the ragged ends byte by byte. Cost: one store per 4 bytes to fill, one load and
 * compare per 4 bytes to verify. Assumes a little-endian platform (every current JS engine host).
 */

const STEP = 0x9e3779b9 | 0;

/** The seed of a block from its id and the index of the op that allocated it. */
export function patternSeed(id: number, op: number): number {
  return (Math.imul(id + 1, 0x85ebca6b) ^ Math.imul(op + 1, 0xc2b2ae35) ^ 0x27d4eb2f) | 0;
}

/** Byte `k` of the pattern with seed `seed`. */
export function patternByte(seed: number, k: number): number {
  const w = (seed + Math.imul(k >>> 2, STEP)) | 0;
  return (w >>> ((k & 3) << 3)) & 255;
}

/**
 * Writes pattern bytes `[from, to)` of the block whose payload starts at `p` (`p` ≡ 0 mod 4).
 * `u8`/`u32` are views of the heap's buffer now.
 */
export function fillPattern(u8: Uint8Array, u32: Uint32Array, p: number, seed: number, from: number, to: number): void {
  let k = from;
  while (k < to && (k & 3) !== 0) {
    u8[p + k] = patternByte(seed, k);
    k++;
  }
  const wordEnd = to - (to & 3);
  if (k < wordEnd) {
    let w = (seed + Math.imul(k >>> 2, STEP)) | 0;
    const last = (p + wordEnd) >>> 2;
    for (let j = (p + k) >>> 2; j < last; j++) {
      u32[j] = w;
      w = (w + STEP) | 0;
    }
    k = wordEnd;
  }
  while (k < to) {
    u8[p + k] = patternByte(seed, k);
    k++;
  }
}

/**
 * Checks pattern bytes `[from, to)` of the block at `p`; returns the offset of the first wrong
 * byte, or -1 when all are intact.
 */
export function verifyPattern(u8: Uint8Array, u32: Uint32Array, p: number, seed: number, from: number, to: number): number {
  let k = from;
  while (k < to && (k & 3) !== 0) {
    if (u8[p + k] !== patternByte(seed, k)) return k;
    k++;
  }
  const wordEnd = to - (to & 3);
  if (k < wordEnd) {
    let w = (seed + Math.imul(k >>> 2, STEP)) | 0;
    const base = p >>> 2;
    const last = (p + wordEnd) >>> 2;
    for (let j = (p + k) >>> 2; j < last; j++) {
      if ((u32[j]! | 0) !== w) {
        const off = (j - base) * 4;
        for (let b = 0; b < 4; b++) if (u8[p + off + b] !== patternByte(seed, off + b)) return off + b;
        return off;
      }
      w = (w + STEP) | 0;
    }
    k = wordEnd;
  }
  while (k < to) {
    if (u8[p + k] !== patternByte(seed, k)) return k;
    k++;
  }
  return -1;
}
