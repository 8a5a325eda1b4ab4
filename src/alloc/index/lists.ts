/**
 * lists.ts — doubly-linked free lists threaded through free blocks, with their heads in hcb words.
 * Exports `listPush`, `listInsertByAddress`, `listRemove`, `listCheck`: the primitives the explicit,
 * segregated and TLSF indexes share.
 *
 * A list: head word → b1 ⇄ b2 ⇄ … ⇄ bk → 0, with next at b + F_NEXT and prev at b + F_PREV (0 = none).
 * Invariant (listCheck): prev(next(x)) = x for every x, prev(head) = 0, no cycle, every node free.
 */
import type { HeapViolation } from '../allocator.js';
import { ALLOC, FLAGS, F_NEXT, F_PREV } from '../layout.js';

/** Pushes `b` at the front of the list whose head is word `head` (LIFO). O(1). */
export function listPush(m: Uint32Array, head: number, b: number): void {
  const first = m[head];
  m[(b + F_NEXT) >>> 2] = first;
  m[(b + F_PREV) >>> 2] = 0;
  if (first !== 0) m[(first + F_PREV) >>> 2] = b;
  m[head] = b;
}

/** Inserts `b` keeping the list in ascending address order. O(length). */
export function listInsertByAddress(m: Uint32Array, head: number, b: number): void {
  let prev = 0;
  let cur = m[head];
  while (cur !== 0 && cur < b) {
    prev = cur;
    cur = m[(cur + F_NEXT) >>> 2];
  }
  m[(b + F_NEXT) >>> 2] = cur;
  m[(b + F_PREV) >>> 2] = prev;
  if (cur !== 0) m[(cur + F_PREV) >>> 2] = b;
  if (prev !== 0) m[(prev + F_NEXT) >>> 2] = b;
  else m[head] = b;
}

/** Unlinks `b` from the list whose head is word `head`. O(1). */
export function listRemove(m: Uint32Array, head: number, b: number): void {
  const next = m[(b + F_NEXT) >>> 2];
  const prev = m[(b + F_PREV) >>> 2];
  if (prev !== 0) m[(prev + F_NEXT) >>> 2] = next;
  else m[head] = next;
  if (next !== 0) m[(next + F_PREV) >>> 2] = prev;
}

/** The blocks of one list in link order (stops after `limit` nodes, so a damaged list cannot loop forever). */
export function listBlocks(m: Uint32Array, head: number, limit = 1 << 22): number[] {
  const out: number[] = [];
  for (let b = m[head]; b !== 0 && out.length < limit; b = m[(b + F_NEXT) >>> 2]) out.push(b);
  return out;
}

/**
 * Checks one list: links agree both ways, no cycle, every node is a free block of the heap (in `free`),
 * seen only once overall (`seen`), optionally address-ordered, and accepted by `fits(size)`. Returns the node count.
 */
export function listCheck(
  m: Uint32Array,
  head: number,
  free: Map<number, number>,
  seen: Set<number>,
  out: HeapViolation[],
  what: string,
  ordered: boolean,
  fits: ((size: number) => boolean) | null,
): number {
  let prev = 0;
  let n = 0;
  for (let b = m[head]; b !== 0; b = m[(b + F_NEXT) >>> 2]) {
    if (!free.has(b)) {
      const hd = m[b >>> 2];
      out.push({ address: b, message: `${what}: node is not a free block of the heap${hd & ALLOC ? ' (it is allocated)' : ''}` });
      return n;
    }
    if (seen.has(b)) {
      out.push({ address: b, message: `${what}: block indexed twice (or the list has a cycle)` });
      return n;
    }
    seen.add(b);
    if (m[(b + F_PREV) >>> 2] !== prev) out.push({ address: b, message: `${what}: prev link ${m[(b + F_PREV) >>> 2]} should be ${prev}` });
    if (ordered && prev !== 0 && prev >= b) out.push({ address: b, message: `${what}: list not in address order` });
    if (fits !== null && !fits(m[b >>> 2] & ~FLAGS)) out.push({ address: b, message: `${what}: block of ${m[b >>> 2] & ~FLAGS} bytes is in the wrong size class` });
    prev = b;
    n++;
  }
  return n;
}
