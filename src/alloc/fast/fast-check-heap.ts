/**
 * fast-check-heap.ts — the whole-heap checker and statistics walk of the fast allocator.
 * Exports `checkFastHeap(heap)` (every violated invariant, with its address) and `fastHeapStats(heap)`.
 *
 * Invariants checked (each failure is reported, the walk goes on where it safely can):
 *   control block: magic, alignment, end word == break, break == memory break;
 *   blocks tile [first, break − 4) exactly; sizes ≥ 16 and multiples of the alignment; payloads aligned;
 *   P bit of every block == allocated bit of its predecessor; free blocks have footer == size;
 *   no two adjacent free blocks (immediate coalescing); epilogue = size 0, allocated;
 *   every free block is in the list of its own class exactly once, lists are doubly linked consistently,
 *   nothing else is listed; the fl/sl bitmaps are set exactly for the non-empty lists;
 *   pages: slot size of a page class, used + |free slots| == capacity, free slots inside the page on
 *   slot boundaries with no repeat, listed in their class iff they have a free slot, page map entries;
 *   the JS-side start codes: 01 exactly at live block payloads, 11 exactly at live slots.
 */
import type { HeapStats, HeapViolation } from '../allocator.js';
import { hex } from '../errors.js';
import type { LinearMemory } from '../../memory/linear-memory.js';
import {
  CODE_LIVE, CODE_SLOT, ALLOC, FAST_MAGIC, FL_COUNT, MIN_BLOCK, PAGE, PAGE_CLASSES, PAGE_HDR, PREV_ALLOC, SL,
  W_ALIGN, W_END, W_FLMAP, W_HEADS, W_MAGIC, W_PAGES, W_SLMAP,
} from './layout.js';

/** What the checker reads of a fast heap (its internals, kept public for this file). */
export interface FastHeapInternals {
  readonly align: number;
  readonly memory: LinearMemory;
  readonly u16: Uint16Array;
  readonly u32: Uint32Array;
  readonly ctrl: number;
  readonly cw: number;
  readonly brk: number;
  readonly first: number;
  classOf(s: number): number;
  sizeAt(b: number): number;
  codeAt(p: number): number;
  pageOf(p: number): number;
}

/** Walks the whole heap and lists every violated invariant (empty when healthy). */
export function checkFastHeap(h: FastHeapInternals): HeapViolation[] {
  const out: HeapViolation[] = [];
  const bad = (address: number, message: string): void => {
    if (out.length < 1000) out.push({ address, message });
  };
  const u32 = h.u32;
  const u16 = h.u16;
  const cw = h.cw;
  const A = h.align;
  if (u32[cw + W_MAGIC] !== FAST_MAGIC) bad(h.ctrl, `magic word is ${hex(u32[cw + W_MAGIC])}, not ${hex(FAST_MAGIC)}`);
  if ((u32[cw + W_ALIGN] & 0xff) !== A) bad(h.ctrl + 4, `alignment word ${u32[cw + W_ALIGN]} != ${A}`);
  if (u32[cw + W_END] !== h.brk) bad(h.ctrl + 12, `end word ${hex(u32[cw + W_END])} != break ${hex(h.brk)}`);
  if (h.memory.brk !== h.brk) bad(h.brk, `heap break ${hex(h.brk)} != memory break ${hex(h.memory.brk)}`);
  for (const m of h.memory.check()) bad(h.brk, `memory: ${m}`);

  const epi = h.brk - 4;
  const freeBlocks = new Set<number>();
  const live = new Set<number>();
  const slotsLive = new Set<number>();
  const pages: number[] = [];
  let b = h.first;
  let prevAlloc = true;
  let prevFree = false;
  while (b < epi) {
    const hd = u32[b >>> 2];
    const s = hd - (hd & 7);
    if (((b + 4) & (A - 1)) !== 0) bad(b, `block payload ${hex(b + 4)} not ${A}-aligned`);
    if (s < MIN_BLOCK || s % A !== 0 || b + s > epi) {
      bad(b, `bad block size ${s} (heap end ${hex(epi)}); walk stopped`);
      return out;
    }
    const isAlloc = (hd & ALLOC) !== 0;
    if (((hd & PREV_ALLOC) !== 0) !== prevAlloc) bad(b, `P bit ${(hd & PREV_ALLOC) !== 0} but previous block is ${prevAlloc ? 'allocated' : 'free'}`);
    if (!isAlloc) {
      if ((hd & PAGE) !== 0) bad(b, 'free block has the page bit');
      if (u32[((b + s) >>> 2) - 1] !== s) bad(b + s - 4, `footer ${u32[((b + s) >>> 2) - 1]} != header size ${s}`);
      if (prevFree) bad(b, 'two adjacent free blocks (missed coalesce)');
      freeBlocks.add(b);
    } else if ((hd & PAGE) !== 0) {
      pages.push(b);
    } else {
      live.add(b + 4);
    }
    prevAlloc = isAlloc;
    prevFree = !isAlloc;
    b += s;
  }
  if (b !== epi) bad(b, `blocks end at ${hex(b)}, not at the epilogue ${hex(epi)}`);
  const eh = u32[epi >>> 2];
  if ((eh & ~PREV_ALLOC) !== ALLOC) bad(epi, `epilogue header ${hex(eh)} is not size 0 allocated`);
  else if (((eh & PREV_ALLOC) !== 0) !== prevAlloc) bad(epi, 'epilogue P bit disagrees with the last block');

  // Segregated lists and bitmaps.
  const listed = new Set<number>();
  const flmap = u32[cw + W_FLMAP];
  for (let fl = 0; fl < FL_COUNT; fl++) {
    const slmap = u32[cw + W_SLMAP + fl];
    if (((flmap >>> fl) & 1) !== (slmap !== 0 ? 1 : 0)) bad(h.ctrl + 16, `fl bitmap bit ${fl} disagrees with sl bitmap ${hex(slmap)}`);
    for (let sl = 0; sl < SL; sl++) {
      const c = fl * SL + sl;
      let f = u32[cw + W_HEADS + c];
      if (((slmap >>> sl) & 1) !== (f !== 0 ? 1 : 0)) bad(h.ctrl + (W_HEADS + c) * 4, `sl bitmap bit (${fl},${sl}) disagrees with list head ${hex(f)}`);
      let prev = 0;
      while (f !== 0) {
        if (listed.has(f)) {
          bad(f, `free block listed twice (class ${fl},${sl}); list walk stopped`);
          break;
        }
        listed.add(f);
        if (!freeBlocks.has(f)) {
          bad(f, `listed in class (${fl},${sl}) but is not a free block`);
          break;
        }
        if (h.classOf(h.sizeAt(f)) !== c) bad(f, `free block of size ${h.sizeAt(f)} is in the wrong class (${fl},${sl})`);
        if (u32[(f >>> 2) + 2] !== prev) bad(f, `prev link ${hex(u32[(f >>> 2) + 2])} != ${hex(prev)}`);
        prev = f;
        f = u32[(f >>> 2) + 1];
      }
    }
  }
  for (const f of freeBlocks) if (!listed.has(f)) bad(f, 'free block is in no list');

  // Pages.
  const pagesListed = new Set<number>();
  for (let c = 0; c < PAGE_CLASSES; c++) {
    let pg = u32[cw + W_PAGES + c];
    let prev = 0;
    while (pg !== 0) {
      if (pagesListed.has(pg)) {
        bad(pg, `page listed twice in class ${c}`);
        break;
      }
      pagesListed.add(pg);
      const hd = u32[(pg - 4) >>> 2];
      if ((hd & (ALLOC | PAGE)) !== (ALLOC | PAGE)) {
        bad(pg, `class ${c} lists ${hex(pg)}, which is not a page`);
        break;
      }
      if (u16[(pg + 12) >>> 1] !== (c + 1) * A) bad(pg, `page of slot ${u16[(pg + 12) >>> 1]} listed in class ${c}`);
      if (u32[pg >>> 2] !== prev) bad(pg, `page prev link ${hex(u32[pg >>> 2])} != ${hex(prev)}`);
      prev = pg;
      pg = u32[(pg >>> 2) + 1];
    }
  }
  for (const pb of pages) {
    const pg = pb + 4;
    const s = h.sizeAt(pb);
    const slot = u16[(pg + 12) >>> 1];
    if (slot === 0 || slot % A !== 0 || slot > PAGE_CLASSES * A) {
      bad(pg, `page slot size ${slot} invalid`);
      continue;
    }
    const cap = Math.floor((s - 4 - PAGE_HDR) / slot);
    const first = pg + PAGE_HDR;
    const used = u16[(pg + 14) >>> 1];
    const free = new Set<number>();
    let f = u32[(pg >>> 2) + 2];
    for (; f !== 0 && (f & 1) === 0; f = u32[f >>> 2]) {
      if (f < first || f >= first + cap * slot || (f - first) % slot !== 0) {
        bad(pg, `free slot ${hex(f)} is not a slot of this page`);
        break;
      }
      if (free.has(f)) {
        bad(f, 'free slot listed twice');
        break;
      }
      free.add(f);
    }
    // The list ends in 0 (no untouched slots) or in a bump marker (first untouched slot + 1).
    const fresh = (f & 1) === 1 ? f - 1 : first + cap * slot;
    if (fresh < first || fresh > first + cap * slot || (fresh - first) % slot !== 0) bad(pg, `bump marker ${hex(f)} is not a slot of this page`);
    const untouched = Math.max(0, (first + cap * slot - fresh) / slot);
    for (const x of free) if (x >= fresh) bad(x, 'free slot lies in the untouched part of its page');
    if (used + free.size + untouched !== cap) bad(pg, `page used ${used} + free ${free.size} + untouched ${untouched} != capacity ${cap}`);
    const hasRoom = free.size + untouched > 0;
    if (pagesListed.has(pg) !== hasRoom) bad(pg, `page ${hasRoom ? 'has free slots but is not listed' : 'is full but listed'}`);
    for (let i = 0; i < cap; i++) {
      const a = first + i * slot;
      if (!free.has(a) && a < fresh) slotsLive.add(a);
      if (h.pageOf(a) !== pg) bad(a, `page map gives ${hex(h.pageOf(a))} for a slot of page ${hex(pg)}`);
    }
  }
  for (const pg of pagesListed) if (!pages.includes(pg - 4)) bad(pg, 'listed page is not a page block');

  // JS-side start codes.
  for (const p of live) if (h.codeAt(p) !== CODE_LIVE) bad(p, `live block not marked live (code ${h.codeAt(p)})`);
  for (const p of slotsLive) if (h.codeAt(p) !== CODE_SLOT) bad(p, `live slot not marked as a slot (code ${h.codeAt(p)})`);
  for (let p = Math.ceil((h.first + 4) / A) * A; p < h.brk; p += A) {
    const code = h.codeAt(p);
    if (code === CODE_LIVE && !live.has(p)) bad(p, 'marked live but is no live block payload');
    if (code === CODE_SLOT && !slotsLive.has(p)) bad(p, 'marked as a live slot but is none');
  }
  return out;
}

/** Figures of the heap now, by one walk. */
export function fastHeapStats(h: FastHeapInternals): HeapStats {
  const u32 = h.u32;
  const u16 = h.u16;
  const epi = h.brk - 4;
  let liveBytes = 0;
  let liveBlocks = 0;
  let freeBytes = 0;
  let freeBlocks = 0;
  let largestFree = 0;
  for (let b = h.first; b < epi; ) {
    const hd = u32[b >>> 2];
    const s = hd - (hd & 7);
    if (s === 0) break;
    if ((hd & ALLOC) === 0) {
      freeBytes += s;
      freeBlocks++;
      if (s > largestFree) largestFree = s;
    } else if ((hd & PAGE) !== 0) {
      const pg = b + 4;
      const slot = u16[(pg + 12) >>> 1];
      const used = u16[(pg + 14) >>> 1];
      const cap = Math.floor((s - 4 - PAGE_HDR) / slot);
      liveBytes += used * slot;
      liveBlocks += used;
      freeBytes += (cap - used) * slot;
      freeBlocks += cap - used;
    } else {
      liveBytes += s - 4;
      liveBlocks++;
    }
    b += s;
  }
  const heapBytes = h.brk - h.memory.base;
  return { heapBytes, highWater: heapBytes, liveBytes, liveBlocks, freeBytes, freeBlocks, largestFree };
}
