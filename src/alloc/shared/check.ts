/**
 * check.ts — whole-heap verification and figures of a shared heap, read straight from the buffer.
 * Exports `checkSharedHeap` (every violated invariant of layout.ts, with its address) and `sharedHeapStats`.
 *
 * Both walk the page map and every span; call them at quiescent points (no worker inside malloc or
 * free), or the lists they follow may be half-updated. They allocate freely: they are not hot paths.
 */
import type { HeapStats, HeapViolation } from '../allocator.js';
import type { LinearMemory } from '../../memory/linear-memory.js';
import { hex } from '../errors.js';
import {
  H_COMMITTED,
  H_FREE_PAGES,
  H_HIGH_PAGES,
  H_HINT,
  H_MAGIC,
  H_MAX_PAGES,
  H_MAX_SLOTS,
  H_META_PAGES,
  H_PT_OFFSET,
  H_SLOT_OFFSET,
  H_VERSION,
  P_ALLOC_BITS,
  P_BSIZE,
  P_BUMP,
  P_CAP,
  P_CLASS,
  P_FREE,
  P_INLIST,
  P_NEXT,
  P_OWNER,
  P_PAGES,
  P_PREV,
  P_QNEXT,
  P_REMOTE,
  P_TAG,
  P_USED,
  PAGE,
  PT_FREE,
  PT_LARGE,
  PT_LARGE_TAIL,
  PT_META,
  PT_SPAN,
  PT_SPAN_TAIL,
  REMOTE_ADDR,
  REMOTE_QUEUED,
  RFREED_DELTA,
  S_HEAD,
  S_PENDING,
  S_STATE,
  SHARED_HEAP_MAGIC,
  SHARED_HEAP_VERSION,
  SLOT_BYTES,
  SLOT_NEVER,
  SPAN_FIRST,
  SPAN_TAG,
} from './layout.js';
import { CLASS_CAP, CLASS_PAGES, CLASS_SIZE, NCLASSES } from './size-classes.js';

function popcount(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Walks the whole shared heap and returns every violated invariant (empty when healthy). */
export function checkSharedHeap(mem: LinearMemory): HeapViolation[] {
  const out: HeapViolation[] = [];
  const bad = (address: number, message: string): void => {
    out.push({ address, message });
  };
  const u32 = mem.u32;
  if (u32[H_MAGIC] !== SHARED_HEAP_MAGIC) bad(0, `header magic is ${hex(u32[H_MAGIC]!)}, not ${hex(SHARED_HEAP_MAGIC)}`);
  if (u32[H_VERSION] !== SHARED_HEAP_VERSION) bad(4, `layout version ${u32[H_VERSION]} is not ${SHARED_HEAP_VERSION}`);
  if (out.length > 0) return out;
  const metaPages = u32[H_META_PAGES]!;
  const maxPages = u32[H_MAX_PAGES]!;
  const committed = Atomics.load(u32, H_COMMITTED);
  const maxSlots = u32[H_MAX_SLOTS]!;
  const pt = u32[H_PT_OFFSET]! >>> 2;
  const slotBase = u32[H_SLOT_OFFSET]! >>> 2;
  if (committed > maxPages) bad(H_COMMITTED * 4, `committed pages ${committed} exceed the page map (${maxPages})`);
  if (committed * PAGE > mem.capacity) bad(H_COMMITTED * 4, `committed end ${hex(committed * PAGE)} lies beyond the buffer (${mem.capacity} bytes)`);
  if (u32[H_HIGH_PAGES]! < committed) bad(H_HIGH_PAGES * 4, `high water ${u32[H_HIGH_PAGES]} pages is below the committed ${committed}`);
  if (out.length > 0) return out;

  const slotWord = (s: number): number => slotBase + (s * SLOT_BYTES) / 4;
  // spans found in the page map: address → owner
  const spans: number[] = [];
  let freePages = 0;
  for (let p = 0; p < committed; ) {
    const e = u32[pt + p]!;
    const kind = e & 0xff;
    const at = p * PAGE;
    if (p < metaPages) {
      if (kind !== PT_META) bad(at, `metadata page ${p} is marked kind ${kind}`);
      p++;
      continue;
    }
    if (kind === PT_FREE) {
      freePages++;
      if (p < u32[H_HINT]!) bad(at, `free page ${p} lies below the allocation hint ${u32[H_HINT]}`);
      p++;
      continue;
    }
    if (kind === PT_LARGE) {
      const n = e >>> 8;
      if (n < 1 || p + n > committed) {
        bad(at, `large block of ${n} pages runs past the committed end`);
        p++;
        continue;
      }
      for (let d = 1; d < n; d++) {
        if (u32[pt + p + d] !== ((PT_LARGE_TAIL | (d << 8)) >>> 0)) bad((p + d) * PAGE, `page ${d} of the large block at ${hex(at)} is not marked as its tail`);
      }
      p += n;
      continue;
    }
    if (kind === PT_SPAN) {
      const w = at >>> 2;
      const c = e >>> 8;
      const n = u32[w + P_PAGES]!;
      if (u32[w + P_TAG] !== ((SPAN_TAG ^ at) >>> 0)) bad(at, 'span header tag is wrong (page map points at a page that is not a span)');
      if (c >= NCLASSES || u32[w + P_CLASS] !== c) {
        bad(at, `span class ${u32[w + P_CLASS]} disagrees with the page map (${c})`);
        p++;
        continue;
      }
      if (n !== CLASS_PAGES[c] || p + n > committed) {
        bad(at, `span of class ${c} claims ${n} pages (class wants ${CLASS_PAGES[c]})`);
        p++;
        continue;
      }
      for (let d = 1; d < n; d++) {
        if (u32[pt + p + d] !== ((PT_SPAN_TAIL | (d << 8)) >>> 0)) bad((p + d) * PAGE, `page ${d} of the span at ${hex(at)} is not marked as its tail`);
      }
      spans.push(at);
      checkSpan(u32, at, c, maxSlots, slotWord, bad);
      p += n;
      continue;
    }
    bad(at, `page ${p} has kind ${kind} where a run should start`);
    p++;
  }
  if (freePages !== u32[H_FREE_PAGES]) bad(H_FREE_PAGES * 4, `free page count says ${u32[H_FREE_PAGES]}, the page map has ${freePages}`);

  // slot lists and pending stacks
  const isSpan = new Set(spans);
  const listed = new Set<number>();
  const queued = new Set<number>();
  for (let s = 0; s < maxSlots; s++) {
    const sw = slotWord(s);
    const state = u32[sw + S_STATE]!;
    for (let c = 0; c < NCLASSES; c++) {
      let prev = 0;
      let steps = 0;
      for (let sp = u32[sw + S_HEAD + c]!; sp !== 0; sp = u32[(sp >>> 2) + P_NEXT]!) {
        if (!isSpan.has(sp)) {
          bad(sp, `slot ${s} class ${c} list points at ${hex(sp)}, which is not a span`);
          break;
        }
        if (listed.has(sp) || ++steps > spans.length) {
          bad(sp, `slot ${s} class ${c} list has a cycle or shares span ${hex(sp)}`);
          break;
        }
        listed.add(sp);
        const w = sp >>> 2;
        if (state === SLOT_NEVER) bad(sp, `slot ${s} was never used but lists span ${hex(sp)}`);
        if (u32[w + P_OWNER] !== s) bad(sp, `span ${hex(sp)} is on slot ${s}'s list but owned by slot ${u32[w + P_OWNER]}`);
        if (u32[w + P_CLASS] !== c) bad(sp, `span ${hex(sp)} of class ${u32[w + P_CLASS]} is on the class ${c} list`);
        if (u32[w + P_INLIST] !== 1) bad(sp, `span ${hex(sp)} is listed but its INLIST flag is clear`);
        if (u32[w + P_PREV] !== prev) bad(sp, `span ${hex(sp)} PREV is ${hex(u32[w + P_PREV]!)}, expected ${hex(prev)}`);
        prev = sp;
      }
    }
    let steps = 0;
    for (let sp = Atomics.load(u32, sw + S_PENDING); sp !== 0; sp = u32[(sp >>> 2) + P_QNEXT]!) {
      if (!isSpan.has(sp)) {
        bad(sp, `slot ${s} pending stack points at ${hex(sp)}, which is not a span`);
        break;
      }
      if (queued.has(sp) || ++steps > spans.length) {
        bad(sp, `slot ${s} pending stack has a cycle or shares span ${hex(sp)}`);
        break;
      }
      queued.add(sp);
      const w = sp >>> 2;
      if (u32[w + P_OWNER] !== s) bad(sp, `span ${hex(sp)} is on slot ${s}'s pending stack but owned by slot ${u32[w + P_OWNER]}`);
      if ((u32[w + P_REMOTE]! & REMOTE_QUEUED) === 0) bad(sp, `span ${hex(sp)} is on a pending stack but its QUEUED bit is clear`);
    }
  }
  for (const sp of spans) {
    const w = sp >>> 2;
    if (u32[w + P_INLIST] === 1 && !listed.has(sp)) bad(sp, `span ${hex(sp)} says it is listed but no class list holds it`);
    if ((u32[w + P_REMOTE]! & REMOTE_QUEUED) !== 0 && !queued.has(sp)) bad(sp, `span ${hex(sp)} is QUEUED but on no pending stack`);
  }
  return out;
}

/** Checks one span's header, bitmaps and lists. */
function checkSpan(
  u32: Uint32Array,
  span: number,
  c: number,
  maxSlots: number,
  slotWord: (s: number) => number,
  bad: (address: number, message: string) => void,
): void {
  const w = span >>> 2;
  const bs = u32[w + P_BSIZE]!;
  const cap = u32[w + P_CAP]!;
  const bump = u32[w + P_BUMP]!;
  const used = u32[w + P_USED]!;
  const owner = u32[w + P_OWNER]!;
  if (bs !== CLASS_SIZE[c] || cap !== CLASS_CAP[c]) {
    bad(span, `span block size ${bs} / capacity ${cap} do not match class ${c} (${CLASS_SIZE[c]} / ${CLASS_CAP[c]})`);
    return;
  }
  if (owner >= maxSlots) bad(span, `span owner slot ${owner} is beyond the slot table (${maxSlots})`);
  else if (u32[slotWord(owner) + S_STATE] === SLOT_NEVER) bad(span, `span owner slot ${owner} was never used`);
  if (bump > cap) {
    bad(span, `span BUMP ${bump} exceeds its capacity ${cap}`);
    return;
  }
  let allocCount = 0;
  let rfreedCount = 0;
  for (let k = 0; k < (cap + 31) >>> 5; k++) {
    const a = u32[w + P_ALLOC_BITS + k]!;
    const r = u32[w + P_ALLOC_BITS + RFREED_DELTA + k]!;
    allocCount += popcount(a);
    rfreedCount += popcount(r);
    if ((r & ~a) !== 0) bad(span + SPAN_FIRST + (k * 32 + 31 - Math.clz32(r & ~a)) * bs, 'block is marked freed-remotely but not allocated');
    for (let j = 0; j < 32; j++) {
      const i = k * 32 + j;
      if (i >= bump && ((a >>> j) & 1) !== 0) bad(span + SPAN_FIRST + i * bs, `block ${i} is allocated but lies at or above BUMP ${bump}`);
    }
  }
  if (allocCount !== used) bad(span, `span USED is ${used} but ${allocCount} blocks are marked allocated`);
  const seen = new Uint8Array(cap);
  const walk = (head: number, what: string, wantAlloc: boolean): number => {
    let n = 0;
    for (let b = head; b !== 0; b = u32[b >>> 2]!) {
      const off = b - span - SPAN_FIRST;
      const i = Math.floor(off / bs);
      if (off < 0 || i * bs !== off || i >= bump) {
        bad(b, `${what} list of span ${hex(span)} holds ${hex(b)}, which is not a handed-out block boundary`);
        return n;
      }
      if (seen[i] !== 0) {
        bad(b, `block ${hex(b)} is on the ${what} list twice, or on both lists (cycle?)`);
        return n;
      }
      seen[i] = 1;
      const isAlloc = ((u32[w + P_ALLOC_BITS + (i >>> 5)]! >>> (i & 31)) & 1) !== 0;
      const isRemote = ((u32[w + P_ALLOC_BITS + RFREED_DELTA + (i >>> 5)]! >>> (i & 31)) & 1) !== 0;
      if (wantAlloc ? !(isAlloc && isRemote) : isAlloc || isRemote) {
        bad(b, `block ${hex(b)} on the ${what} list has allocated=${isAlloc} freed-remotely=${isRemote}`);
      }
      n++;
    }
    return n;
  };
  const freeLen = walk(u32[w + P_FREE]!, 'free', false);
  const remoteWord = u32[w + P_REMOTE]!;
  const remoteLen = walk((remoteWord & REMOTE_ADDR) >>> 0, 'remote-free', true);
  if (remoteLen !== rfreedCount) bad(span, `span has ${rfreedCount} blocks marked freed-remotely but ${remoteLen} on its remote list`);
  if (used + freeLen + (cap - bump) !== cap) bad(span, `USED ${used} + free list ${freeLen} + untouched ${cap - bump} ≠ capacity ${cap}: a block is lost`);
  if ((remoteWord & REMOTE_ADDR) !== 0 && (remoteWord & REMOTE_QUEUED) === 0) bad(span, 'span has remote frees but is not QUEUED for its owner');
}

/** Figures of the whole shared heap now (every worker's blocks). */
export function sharedHeapStats(mem: LinearMemory): HeapStats {
  const u32 = mem.u32;
  const committed = Atomics.load(u32, H_COMMITTED);
  const pt = u32[H_PT_OFFSET]! >>> 2;
  const s: HeapStats = { heapBytes: committed * PAGE, highWater: u32[H_HIGH_PAGES]! * PAGE, liveBytes: 0, liveBlocks: 0, freeBytes: 0, freeBlocks: 0, largestFree: 0 };
  let run = 0;
  const endRun = (): void => {
    if (run > 0) {
      s.freeBlocks++;
      s.freeBytes += run * PAGE;
      s.largestFree = Math.max(s.largestFree, run * PAGE);
    }
    run = 0;
  };
  for (let p = u32[H_META_PAGES]!; p < committed; ) {
    const e = u32[pt + p]!;
    const kind = e & 0xff;
    if (kind === PT_FREE) {
      run++;
      p++;
      continue;
    }
    endRun();
    if (kind === PT_LARGE) {
      s.liveBlocks++;
      s.liveBytes += (e >>> 8) * PAGE;
      p += Math.max(1, e >>> 8);
    } else if (kind === PT_SPAN) {
      const w = (p * PAGE) >>> 2;
      const bs = u32[w + P_BSIZE]!;
      const cap = u32[w + P_CAP]!;
      let live = 0;
      for (let k = 0; k < (cap + 31) >>> 5; k++) live += popcount(u32[w + P_ALLOC_BITS + k]! & ~u32[w + P_ALLOC_BITS + RFREED_DELTA + k]!);
      s.liveBlocks += live;
      s.liveBytes += live * bs;
      s.freeBlocks += cap - live;
      s.freeBytes += (cap - live) * bs;
      if (cap > live) s.largestFree = Math.max(s.largestFree, bs);
      p += Math.max(1, u32[w + P_PAGES]!);
    } else p++;
  }
  endRun();
  return s;
}
