/**
 * size-classes.ts — the small-block size classes of the shared heap and the span shape of each.
 * Exports `NCLASSES`, `SMALL_MAX`, `CLASS_SIZE`, `CLASS_PAGES`, `CLASS_CAP`, `CLASS_OF_GRANULE`.
 *
 * Classes: 16, 32, …, 128 (step 16), then four per doubling up to 32 KiB (160, 192, 224, 256,
 * 320, …, 28672, 32768): 40 classes, internal fragmentation ≤ 25% above 128 bytes, ≤ 15 bytes below.
 * Every class is a multiple of 16, so every block in a span is 16-byte aligned (SPAN_FIRST is too).
 * A span of class c is CLASS_PAGES[c] pages long, chosen as the shortest run (1..8 pages) holding
 * at least 8 blocks that wastes at most 1/8 of itself (else the least wasteful); CLASS_CAP[c] blocks fit in it after the span header.
 * Requests above SMALL_MAX bytes get whole page runs (large blocks).
 */
import { MAX_SPAN_BLOCKS, PAGE, SPAN_FIRST } from './layout.js';

/** Largest request served from a size class. */
export const SMALL_MAX = 32768;

function buildSizes(): number[] {
  const out: number[] = [];
  for (let s = 16; s <= 128; s += 16) out.push(s);
  for (let lo = 128; lo < SMALL_MAX; lo *= 2) for (let k = 1; k <= 4; k++) out.push(lo + (lo / 4) * k);
  return out;
}
const sizes = buildSizes();

/** Number of size classes. */
export const NCLASSES = sizes.length;
/** Block bytes of each class. */
export const CLASS_SIZE = Uint32Array.from(sizes);
/** Pages per span of each class. */
export const CLASS_PAGES = new Uint8Array(NCLASSES);
/** Blocks per span of each class. */
export const CLASS_CAP = new Uint32Array(NCLASSES);
/** Class of a request of `g` 16-byte granules (`g = ceil(n / 16)`, 1 ≤ g ≤ SMALL_MAX / 16). Index 0 is unused. */
export const CLASS_OF_GRANULE = new Uint8Array(SMALL_MAX / 16 + 1);

for (let c = 0; c < NCLASSES; c++) {
  const bs = CLASS_SIZE[c]!;
  let best = 0;
  let bestWaste = Infinity;
  for (let pages = 1; pages <= 8; pages++) {
    const cap = Math.min(Math.floor((pages * PAGE - SPAN_FIRST) / bs), MAX_SPAN_BLOCKS);
    if (cap < 8) continue;
    const waste = (pages * PAGE - cap * bs) / (pages * PAGE);
    if (waste < bestWaste) {
      best = pages;
      bestWaste = waste;
    }
    if (waste <= 0.125) break;
  }
  CLASS_PAGES[c] = best;
  CLASS_CAP[c] = Math.min(Math.floor((best * PAGE - SPAN_FIRST) / bs), MAX_SPAN_BLOCKS);
}
for (let g = 1, c = 0; g < CLASS_OF_GRANULE.length; g++) {
  while (CLASS_SIZE[c]! < g * 16) c++;
  CLASS_OF_GRANULE[g] = c;
}
