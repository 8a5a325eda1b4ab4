/**
 * shared.ts — helpers for the short-pause collector tests: heaps with stress knobs and an adversarial mutator
 * (in-place list reversal: every next pointer is rewritten while the collector marks).
 */
import { createManagedHeap, type ManagedHeap } from '../../src/gc/index.js';
import type { IncrementalOptions, SatbPlan } from '../../src/gc/plan-incremental.js';

/** A small heap under `collector` with the given knobs. */
export function heapOf(collector: string, extra: Partial<IncrementalOptions> = {}): { h: ManagedHeap; plan: SatbPlan } {
  const opts: IncrementalOptions = { collector, maxBytes: 16 << 20, initialBytes: 256 * 1024, largeObjectBytes: 2048, ...extra };
  const h = createManagedHeap(opts);
  return { h, plan: h.plan as unknown as SatbPlan };
}

/** Builds a rooted list of `n` nodes with ids 1..n (type: 1 ref + 8 bytes); returns the root slot. */
export function buildList(h: ManagedHeap, type: number, n: number): number {
  const slot = h.push(0);
  for (let i = n; i >= 1; i--) {
    const p = h.alloc(type);
    h.setI32(p, 0, i);
    h.setRef(p, 0, h.get(slot));
    h.set(slot, p);
  }
  return slot;
}

/** Reverses the list in place through the barrier (no allocation, so raw pointers are safe). */
export function reverseList(h: ManagedHeap, slot: number): void {
  let prev = 0;
  let cur = h.get(slot);
  while (cur !== 0) {
    const next = h.getRef(cur, 0);
    h.setRef(cur, 0, prev);
    prev = cur;
    cur = next;
  }
  h.set(slot, prev);
}

/** Length and id sum of the list, and whether ids run monotonically (up or down) by one. */
export function checkList(h: ManagedHeap, slot: number): { length: number; sum: number; ordered: boolean } {
  let length = 0;
  let sum = 0;
  let ordered = true;
  let last = -1;
  let dir = 0;
  for (let p = h.get(slot); p !== 0; p = h.getRef(p, 0)) {
    const id = h.getI32(p, 0);
    if (last >= 0) {
      const d = id - last;
      if (dir === 0) dir = d;
      if (d !== dir || Math.abs(d) !== 1) ordered = false;
    }
    last = id;
    length++;
    sum += id;
    if (length > 10_000_000) break;
  }
  return { length, sum, ordered };
}
