/**
 * pages.ts — the shared heap's global page allocator: first-fit runs of 64 KiB pages over the page map, under the header's futex lock.
 * Exports `acquirePages`, `releaseRun`, `freeLargeRun`, `LARGE_OK`, `LARGE_DOUBLE`, `LARGE_INVALID`.
 *
 * Every write to the page map, COMMITTED, FREE_PAGES, HIGH_PAGES and HINT happens with LOCK held,
 * so runs never overlap. Readers without the lock (free() of a block) only read entries of pages
 * that hold the block they free, which were written before the block was handed out.
 * When no run of FREE pages fits below COMMITTED, the break moves up (a free tail run is reused)
 * and the SharedArrayBuffer grows (`LinearMemory.reserve` → `buffer.grow`), still under the lock,
 * so two workers never race to grow it. Invariant: FREE_PAGES = |{ p < COMMITTED : kind(p) = FREE }|
 * and no FREE entry lies below HINT.
 */
import type { LinearMemory } from '../../memory/linear-memory.js';
import {
  FREE_WAS_LARGE,
  H_COMMITTED,
  H_FREE_PAGES,
  H_HIGH_PAGES,
  H_HINT,
  H_LOCK,
  H_MAX_PAGES,
  H_META_PAGES,
  H_PT_OFFSET,
  PAGE,
  PT_FREE,
  PT_LARGE,
} from './layout.js';
import { mutexLock, mutexUnlock } from './mutex.js';

/**
 * Takes a run of `n` pages for a span or large block and writes its page-map entries: the first
 * page gets `headKind | headArg << 8`, the others `tailKind | distance << 8`. Returns the first
 * page's index, or 0 when the heap cannot grow that far.
 */
export function acquirePages(mem: LinearMemory, n: number, headKind: number, headArg: number, tailKind: number): number {
  mutexLock(mem.i32, H_LOCK);
  let first = 0;
  try {
    mem.refresh(); // under the lock: another worker may have grown the buffer; every committed page is now in view
    let u32 = mem.u32;
    const pt = u32[H_PT_OFFSET]! >>> 2;
    const committed = u32[H_COMMITTED]!;
    let free = u32[H_FREE_PAGES]!;
    // 1. first fit among FREE pages below the break
    if (free >= n) {
      let run = 0;
      let firstFree = -1;
      for (let p = u32[H_HINT]!; p < committed; p++) {
        if ((u32[pt + p]! & 0xff) === PT_FREE) {
          if (firstFree < 0) firstFree = p;
          if (++run === n) {
            first = p - n + 1;
            break;
          }
        } else run = 0;
      }
      if (firstFree < 0) u32[H_HINT] = committed;
      else if (first !== 0 && first === firstFree) u32[H_HINT] = first + n;
      else u32[H_HINT] = firstFree;
    }
    // 2. grow the break, reusing a free run at its top
    if (first === 0) {
      let tail = 0;
      while (tail < committed && (u32[pt + committed - 1 - tail]! & 0xff) === PT_FREE) tail++;
      const start = committed - tail;
      const end = start + n;
      if (end > u32[H_MAX_PAGES]! || (end * PAGE > mem.capacity && !mem.reserve(end * PAGE))) return 0;
      u32 = mem.u32;
      for (let p = committed; p < end; p++) u32[pt + p] = PT_FREE;
      free += end - committed;
      u32[H_FREE_PAGES] = free;
      Atomics.store(u32, H_COMMITTED, end);
      if (end > u32[H_HIGH_PAGES]!) u32[H_HIGH_PAGES] = end;
      if (u32[H_HINT]! >= start) u32[H_HINT] = end;
      first = start;
    }
    u32[pt + first] = (headKind | (headArg << 8)) >>> 0;
    for (let d = 1; d < n; d++) u32[pt + first + d] = (tailKind | (d << 8)) >>> 0;
    u32[H_FREE_PAGES] = u32[H_FREE_PAGES]! - n;
    // the handle's break follows the heap's high water (monotonic), so [base, brk) bounds every block
    const high = u32[H_HIGH_PAGES]! * PAGE;
    if (high > mem.brk) mem.setBrk(high);
  } finally {
    mutexUnlock(mem.i32, H_LOCK);
  }
  return first;
}

/** Returns the run of `n` pages at page `first` to the pool (the caller owns it: a retired span). */
export function releaseRun(mem: LinearMemory, first: number, n: number): void {
  const u32 = mem.u32;
  mutexLock(mem.i32, H_LOCK);
  const pt = u32[H_PT_OFFSET]! >>> 2;
  for (let d = 0; d < n; d++) u32[pt + first + d] = PT_FREE;
  u32[H_FREE_PAGES] = u32[H_FREE_PAGES]! + n;
  if (first < u32[H_HINT]!) u32[H_HINT] = first;
  mutexUnlock(mem.i32, H_LOCK);
}

/** freeLargeRun outcome: the block was freed. */
export const LARGE_OK = 0;
/** freeLargeRun outcome: the page was the start of a large block that is already free. */
export const LARGE_DOUBLE = 1;
/** freeLargeRun outcome: the page is not the start of a large block. */
export const LARGE_INVALID = 2;

/**
 * Frees the large block whose first page is `pi` when it is one, deciding under the lock (so two
 * workers freeing the same block cannot both succeed). Leaves the map unchanged on failure.
 */
export function freeLargeRun(mem: LinearMemory, pi: number): number {
  const u32 = mem.u32;
  mutexLock(mem.i32, H_LOCK);
  try {
    const pt = u32[H_PT_OFFSET]! >>> 2;
    if (pi < u32[H_META_PAGES]! || pi >= u32[H_COMMITTED]!) return LARGE_INVALID;
    const e = u32[pt + pi]!;
    if ((e & 0xff) === PT_FREE) return e >>> 8 === FREE_WAS_LARGE ? LARGE_DOUBLE : LARGE_INVALID;
    if ((e & 0xff) !== PT_LARGE) return LARGE_INVALID;
    const n = e >>> 8;
    u32[pt + pi] = PT_FREE | (FREE_WAS_LARGE << 8);
    for (let d = 1; d < n; d++) u32[pt + pi + d] = PT_FREE;
    u32[H_FREE_PAGES] = u32[H_FREE_PAGES]! + n;
    if (pi < u32[H_HINT]!) u32[H_HINT] = pi;
    return LARGE_OK;
  } finally {
    mutexUnlock(mem.i32, H_LOCK);
  }
}
