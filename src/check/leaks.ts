/**
 * leaks.ts — the leak finder: unfreed blocks grouped by allocation site (LeakSanitizer-style), and a
 * conservative reachability scan (Boehm-style) that sorts them into Valgrind's categories.
 * Exports `groupLeaks`, `classifyLeaks`, `findBlock`, `LeakGroup`, `LeakKind`, `LeakCheckOptions`, `LeakCheckResult`.
 *
 * Reachability, as Valgrind's memcheck defines it:
 * - still reachable: some chain of pointers leads to the block from a root;
 * - definitely lost: no root chain, and no other lost block points to it (it heads its own clique);
 * - indirectly lost: no root chain, but another lost block points to it (freeing the clique's head would
 *   free it too). In a cycle of lost blocks, the one scanned first is the head.
 *
 * Conservative: any aligned 32-bit word inside a live payload (or a root range) whose value lies
 * inside a live payload `[p, p + size)` counts as a pointer to that block — interior pointers included,
 * as Boehm's collector does with `GC_all_interior_pointers`. Integers that happen to look like
 * addresses keep blocks alive (false negatives for leaks, never false "lost" reports).
 */
import type { LinearMemory } from '../memory/linear-memory.js';

/** Valgrind's leak categories. */
export type LeakKind = 'definitely-lost' | 'indirectly-lost' | 'still-reachable';

/** Unfreed blocks from one allocation site. */
export interface LeakGroup {
  /** Blocks. */
  count: number;
  /** Requested bytes, summed. */
  bytes: number;
  /** The allocation stack as `Error().stack` prints it (absent when stacks were not captured). */
  site?: string;
}

/** Options of a leak check. */
export interface LeakCheckOptions {
  /** Extra root areas `[start, end)` of the memory scanned word by word (a Wasm data segment or stack). */
  ranges?: ReadonlyArray<readonly [number, number]>;
}

/** Totals of one category. */
export interface LeakTotals {
  blocks: number;
  bytes: number;
}

/** The outcome of a leak check. */
export interface LeakCheckResult {
  definitelyLost: LeakTotals;
  indirectlyLost: LeakTotals;
  stillReachable: LeakTotals;
  /** Groups by (category, site), lost categories first, most bytes first within each. */
  groups: Array<LeakGroup & { kind: LeakKind }>;
  /** Every unfreed block, in address order, with its category. */
  blocks: Array<{ address: number; size: number; kind: LeakKind; site?: string }>;
}

/** Live blocks in address order (`starts` ascending), with requested sizes and allocation site ids. */
export interface BlockTable {
  starts: Uint32Array;
  sizes: Uint32Array;
  sites: Int32Array;
}

const UNREACHED = 0;
const REACHABLE = 1;
const DEFINITE = 2;
const INDIRECT = 3;
const KIND_NAMES: LeakKind[] = ['definitely-lost', 'still-reachable', 'definitely-lost', 'indirectly-lost'];
const KIND_ORDER: Record<LeakKind, number> = { 'definitely-lost': 0, 'indirectly-lost': 1, 'still-reachable': 2 };

/** Index of the block whose payload `[start, start + size)` holds `a`, or -1. O(log n). */
export function findBlock(starts: Uint32Array, sizes: Uint32Array, a: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (starts[mid]! <= a) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found >= 0 && a < starts[found]! + sizes[found]! ? found : -1;
}

/**
 * Groups blocks by (category, site): `kinds` gives each block's category code (or `null` for plain
 * LeakSanitizer grouping by site only). Most bytes first.
 */
export function groupLeaks(
  sizes: Uint32Array,
  sites: Int32Array,
  kinds: Uint8Array | null,
  siteText: (id: number) => string | undefined,
): Array<LeakGroup & { kind: LeakKind }> {
  const groups = new Map<number, LeakGroup & { kind: LeakKind }>();
  for (let i = 0; i < sizes.length; i++) {
    const k = kinds === null ? DEFINITE : kinds[i]!;
    const key = sites[i]! * 4 + k;
    let g = groups.get(key);
    if (g === undefined) {
      g = { count: 0, bytes: 0, kind: KIND_NAMES[k]! };
      const t = siteText(sites[i]!);
      if (t !== undefined) g.site = t;
      groups.set(key, g);
    }
    g.count++;
    g.bytes += sizes[i]!;
  }
  return [...groups.values()].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || b.bytes - a.bytes || b.count - a.count);
}

/**
 * Classifies every block of `table` by a conservative scan of `memory` from `roots` (pointer values)
 * and `opts.ranges`. O(scanned words · log blocks).
 */
export function classifyLeaks(
  memory: LinearMemory,
  table: BlockTable,
  roots: ArrayLike<number>,
  opts: LeakCheckOptions,
  siteText: (id: number) => string | undefined,
): LeakCheckResult {
  const { starts, sizes, sites } = table;
  const n = starts.length;
  const state = new Uint8Array(n);
  const stack = new Int32Array(n);
  let top = 0;
  const u32 = memory.u32;
  const words = u32.length;

  const markRoot = (v: number): void => {
    const j = findBlock(starts, sizes, v);
    if (j >= 0 && state[j] === UNREACHED) {
      state[j] = REACHABLE;
      stack[top++] = j;
    }
  };
  /** Calls `visit` with every aligned word value inside `[from, to)`. */
  const scan = (from: number, to: number, visit: (v: number) => void): void => {
    const last = Math.min(Math.floor(to / 4), words);
    for (let w = Math.ceil(Math.max(from, 0) / 4); w < last; w++) visit(u32[w]!);
  };

  for (let i = 0; i < roots.length; i++) markRoot(roots[i]!);
  for (const [from, to] of opts.ranges ?? []) scan(from, to, markRoot);
  while (top > 0) {
    const i = stack[--top]!;
    scan(starts[i]!, starts[i]! + sizes[i]!, markRoot);
  }

  // Lost blocks: each unreached block heads a clique; what it reaches becomes indirectly lost
  // (including earlier heads, whose cliques merge into this one).
  for (let leader = 0; leader < n; leader++) {
    if (state[leader] !== UNREACHED) continue;
    state[leader] = DEFINITE;
    stack[top++] = leader;
    while (top > 0) {
      const i = stack[--top]!;
      scan(starts[i]!, starts[i]! + sizes[i]!, (v) => {
        const j = findBlock(starts, sizes, v);
        if (j < 0 || j === leader) return;
        if (state[j] === UNREACHED) {
          state[j] = INDIRECT;
          stack[top++] = j;
        } else if (state[j] === DEFINITE) state[j] = INDIRECT; // an earlier head: its clique is already marked
      });
    }
  }

  const totals = (k: number): LeakTotals => {
    let blocks = 0;
    let bytes = 0;
    for (let i = 0; i < n; i++)
      if (state[i] === k) {
        blocks++;
        bytes += sizes[i]!;
      }
    return { blocks, bytes };
  };
  const blocks: LeakCheckResult['blocks'] = [];
  for (let i = 0; i < n; i++) {
    const b: LeakCheckResult['blocks'][number] = { address: starts[i]!, size: sizes[i]!, kind: KIND_NAMES[state[i]!]! };
    const t = siteText(sites[i]!);
    if (t !== undefined) b.site = t;
    blocks.push(b);
  }
  return {
    definitelyLost: totals(DEFINITE),
    indirectlyLost: totals(INDIRECT),
    stillReachable: totals(REACHABLE),
    groups: groupLeaks(sizes, sites, state, siteText),
    blocks,
  };
}
