/**
 * workloads.ts — the managed-heap benchmarks: binary-trees (Benchmarks Game) and Boehm's GCBench, written against the heap API with shadow-stack roots.
 * Exports `runBinaryTrees`, `runGcBench`, `WorkloadOutcome`, `bottomUpTree`, `itemCheck`.
 *
 * Each returns whether its own self-checks held (tree node counts against the closed forms 2^(d+1) − 1,
 * the long-lived structures intact at the end). Trees are built bottom-up (children first, so stores go
 * into the youngest object and the generational barrier stays on its fast path) except GCBench's
 * top-down half, which stores young children into older parents on purpose.
 */
import type { ManagedHeap } from './heap.js';

/** What a workload reports besides timing. */
export interface WorkloadOutcome {
  /** True when every self-check of the workload held. */
  checksumOk: boolean;
  /** Human-readable summary of the checks. */
  detail: string;
}

/** Builds a complete binary tree of `depth` bottom-up; returns its root (not rooted: push it before the next allocation). */
export function bottomUpTree(h: ManagedHeap, type: number, depth: number): number {
  if (depth <= 0) return h.alloc(type);
  const sp = h.push(bottomUpTree(h, type, depth - 1));
  h.push(bottomUpTree(h, type, depth - 1));
  const n = h.alloc(type);
  h.setRef(n, 0, h.get(sp));
  h.setRef(n, 1, h.get(sp + 1));
  h.popTo(sp);
  return n;
}

/** Counts the nodes of a tree (no allocation, so raw pointers are safe here). */
export function itemCheck(h: ManagedHeap, p: number): number {
  const l = h.getRef(p, 0);
  if (l === 0) return 1;
  return 1 + itemCheck(h, l) + itemCheck(h, h.getRef(p, 1));
}

/** Benchmarks Game binary-trees with maximum depth `n` (stretch tree n + 1, long-lived tree n, depths 4, 6, … n). */
export function runBinaryTrees(h: ManagedHeap, n: number): WorkloadOutcome {
  const T = h.defineRecord('TreeNode', 2, 0);
  const maxDepth = Math.max(6, n);
  const stretch = maxDepth + 1;
  const sp0 = h.sp;
  let ok = true;
  const lines: string[] = [];
  const c0 = itemCheck(h, bottomUpTree(h, T, stretch));
  ok &&= c0 === 2 ** (stretch + 1) - 1;
  lines.push(`stretch tree of depth ${stretch}\t check: ${c0}`);
  const longLived = h.push(bottomUpTree(h, T, maxDepth));
  for (let d = 4; d <= maxDepth; d += 2) {
    const iters = 1 << (maxDepth - d + 4);
    let check = 0;
    for (let i = 0; i < iters; i++) check += itemCheck(h, bottomUpTree(h, T, d));
    ok &&= check === iters * (2 ** (d + 1) - 1);
    lines.push(`${iters}\t trees of depth ${d}\t check: ${check}`);
  }
  const cl = itemCheck(h, h.get(longLived));
  ok &&= cl === 2 ** (maxDepth + 1) - 1;
  lines.push(`long lived tree of depth ${maxDepth}\t check: ${cl}`);
  h.popTo(sp0);
  return { checksumOk: ok, detail: lines.join('\n') };
}

function populate(h: ManagedHeap, T: number, depth: number, slot: number): void {
  if (depth <= 0) return;
  depth--;
  const l = h.alloc(T);
  h.setRef(h.get(slot), 0, l);
  const r = h.alloc(T);
  h.setRef(h.get(slot), 1, r);
  const s = h.push(h.getRef(h.get(slot), 0));
  populate(h, T, depth, s);
  h.set(s, h.getRef(h.get(slot), 1));
  populate(h, T, depth, s);
  h.popTo(s);
}

function treeSize(i: number): number {
  return (1 << (i + 1)) - 1;
}

/**
 * Boehm's GCBench with stretch depth `stretch` (standard 18): long-lived tree and maximum tree depth
 * stretch − 2, minimum depth 4, a long-lived array of 500 000 doubles (scaled down below depth 18),
 * top-down (Populate) and bottom-up (MakeTree) construction at each depth.
 */
export function runGcBench(h: ManagedHeap, stretch: number): WorkloadOutcome {
  const T = h.defineRecord('Node', 2, 8);
  const D = h.defineByteArray('double[]');
  const kStretch = Math.max(6, stretch);
  const kLongLived = kStretch - 2;
  const kMin = 4;
  const kMax = kStretch - 2;
  const kArraySize = kStretch >= 18 ? 500000 : Math.max(1000, 500000 >> (18 - kStretch));
  const sp0 = h.sp;
  let ok = true;
  const lines: string[] = [];

  // Stretch the heap.
  const cs = itemCheck(h, bottomUpTree(h, T, kStretch));
  ok &&= cs === treeSize(kStretch);
  lines.push(`stretch tree of depth ${kStretch}: ${cs} nodes`);

  // Long-lived structures.
  const longLived = h.push(h.alloc(T));
  populate(h, T, kLongLived, longLived);
  const arr = h.push(h.allocArray(D, kArraySize * 8));
  for (let i = 0; i < kArraySize / 2; i++) h.setF64(h.get(arr), i, 1.0 / i);

  for (let d = kMin; d <= kMax; d += 2) {
    const iters = Math.floor((2 * treeSize(kStretch)) / treeSize(d));
    const tmp = h.push(0);
    for (let i = 0; i < iters; i++) {
      h.set(tmp, h.alloc(T));
      populate(h, T, d, tmp);
    }
    const ct = itemCheck(h, h.get(tmp));
    for (let i = 0; i < iters; i++) h.set(tmp, bottomUpTree(h, T, d));
    const cb = itemCheck(h, h.get(tmp));
    h.popTo(tmp);
    ok &&= ct === treeSize(d) && cb === treeSize(d);
    lines.push(`${iters} trees of depth ${d}: top-down ${ct} / bottom-up ${cb} nodes`);
  }
  const cl = itemCheck(h, h.get(longLived));
  const probe = Math.min(1000, Math.ceil(kArraySize / 2) - 1); // the last index the fill loop wrote, at most 1000 (an odd size halves to a fraction)
  const a1000 = h.getF64(h.get(arr), probe);
  ok &&= cl === treeSize(kLongLived) && a1000 === 1.0 / probe;
  lines.push(`long-lived tree ${cl} nodes, array[1000] = ${a1000}`);
  h.popTo(sp0);
  return { checksumOk: ok, detail: lines.join('\n') };
}
