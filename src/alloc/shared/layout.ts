/**
 * layout.ts — the on-buffer layout of a shared heap: heap header, worker slots, page map, span header.
 * Exports the magic word, the byte/word offsets below and the page-map entry codes; every file in alloc/shared reads the buffer through them.
 *
 * Glossary: page = 64 KiB unit handed out by the global page allocator; span = run of pages that
 * holds small blocks of one size class (its header sits at the start of its first page); large
 * block = run of whole pages handed out as one block (payload at the run's first byte, no header);
 * slot = a worker's registration (its thread-local heap: class lists + pending queue); owner = the
 * slot a span belongs to; remote free = free of a block by a slot that does not own its span;
 * w suffix = index into the Uint32Array view (byte offset >>> 2).
 *
 * The buffer (a SharedArrayBuffer, base = byte 0):
 * ```
 *  0          256                      ptOffset              metaPages·64K              committed·64K    maxPages·64K
 *  ┌──────────┬────────────────────────┬─────────────────────┬─────────┬─────────┬─ … ─┬──────────── … ──┐
 *  │ header   │ slot table             │ page map            │ page    │ page    │     │ not yet backed  │
 *  │ (64 wds) │ maxSlots × 256 bytes   │ maxPages × u32      │ (span,  │         │     │ (SAB grows here)│
 *  │          │                        │                     │  large, │         │     │                 │
 *  │          │                        │                     │  free)  │         │     │                 │
 *  └──────────┴────────────────────────┴─────────────────────┴─────────┴─────────┴─ … ─┴──────────── … ──┘
 *  └────────────── metadata pages (page map says META) ───────┘
 * ```
 *
 * Heap header (u32 words at byte 0):
 * ```
 *   word  0  MAGIC        'HKSH' = 0x484b5348: isSharedHeap() reads this word at byte 0
 *   word  1  VERSION      layout version (1)
 *   word  2  PAGE_SHIFT   16 (pages are 64 KiB)
 *   word  3  META_PAGES   pages taken by header + slot table + page map
 *   word  4  MAX_PAGES    page-map length = maxBytes / 64K
 *   word  5  COMMITTED    pages in use from byte 0 (the shared break / 64K)       [written under LOCK]
 *   word  6  LOCK         futex word of the page allocator: 0 free, 1 held, 2 held + waiters
 *   word  7  MAX_SLOTS    worker slots in the slot table
 *   word  8  FREE_PAGES   FREE entries below COMMITTED                              [under LOCK]
 *   word  9  HIGH_PAGES   most pages ever committed (high water)                   [under LOCK]
 *   word 10  PT_OFFSET    byte offset of the page map
 *   word 11  SLOT_OFFSET  byte offset of the slot table
 *   word 12  HINT         no FREE page below this index                              [under LOCK]
 *   word 13  NCLASSES     number of size classes (checked on attach)
 *   words 14..63 reserved (0)
 * ```
 *
 * Worker slot (256 bytes = 64 words, at SLOT_OFFSET + slot·256):
 * ```
 *   word 0       STATE     0 never used, 1 active (a handle owns it), 2 abandoned (closed; adoptable)
 *   word 1       PENDING   atomic stack of span addresses that received remote frees (linked by span QNEXT)
 *   word 2       ADOPTIONS times this slot was taken by a handle
 *   word 3       reserved
 *   words 4..    HEAD[c]   first span of the slot's list of class c with free blocks (0 = none)
 * ```
 *
 * Page-map entry (one u32 per page):  bits 31..8 = arg, bits 7..0 = kind
 * ```
 *   kind 0 FREE       arg = 1 if the page was the first page of a large block when freed (tells double from invalid free)
 *   kind 1 META       header / slot table / page map
 *   kind 2 SPAN       first page of a small-block span; arg = size class
 *   kind 3 SPAN_TAIL  later page of a span; arg = distance to the first page
 *   kind 4 LARGE      first page of a large block; arg = pages in the block
 *   kind 5 LARGE_TAIL later page of a large block; arg = distance to the first page
 * ```
 *
 * Span header (at the span's first byte S; FIRST = 1152 bytes, then blocks of BSIZE bytes). The words
 * remote freers write (REMOTE, QNEXT) sit on their own 64-byte cache line, away from the words the
 * owner's fast path writes (FREE, BUMP, USED), so a remote free does not steal the owner's line:
 * ```
 *   S+0..11 (reserved)
 *   S+12  OWNER    slot that owns the span
 *   S+16  CLASS    size class
 *   S+20  BSIZE    block bytes
 *   S+24  CAP      blocks in the span
 *   S+28  USED     blocks handed out and not yet back on FREE (remote-pending ones count as used)
 *   S+32  FREE     owner-local free list (next link in each block's first word)
 *   S+36  BUMP     blocks [0, BUMP) were handed out at least once; [BUMP, CAP) never (lazy extension)
 *   S+40  NEXT     next span in the owner's class list
 *   S+44  PREV     previous span in the owner's class list
 *   S+48  INLIST   1 while the span is in its owner's class list
 *   S+52  PAGES    pages in the span
 *   S+56  TAG      SPAN_TAG ^ S (catches a page map that points at garbage)
 *   S+64  ALLOC    bitmap, one bit per block: 1 = allocated (set by the owner at malloc, cleared at free/reclaim)
 *   S+576 RFREED   bitmap, one bit per block: 1 = freed remotely, waiting on REMOTE (set by Atomics.or)
 *   S+1088 REMOTE  atomic word: bits 31..4 = top of the stack of blocks freed by other slots (next link
 *                  in each block's first word); bit 0 = QUEUED: the span is on (or being pushed onto) its
 *                  owner's PENDING stack. A pusher sets QUEUED in the same compareExchange that pushes
 *                  the first block, so the owner never retires a span a pusher is still about to queue.
 *   S+1092 QNEXT   next span on the owner's PENDING stack (written by the pusher that set QUEUED)
 *   S+1096..1151 (reserved, pads the remote line)
 *   S+1152 block 0, block 1, … block CAP−1   (1152 = 18·64: blocks of a class that is a multiple of 64 are 64-aligned)
 * ```
 * Span invariants (checkHeap): USED = |ALLOC|; RFREED ⊆ ALLOC; |RFREED| = |REMOTE list|;
 * USED + |FREE list| + (CAP − BUMP) = CAP; every FREE/REMOTE entry is a block boundary below BUMP.
 * A block is live iff its ALLOC bit is set and its RFREED bit is clear. REMOTE has blocks ⇒ QUEUED;
 * QUEUED ⇒ the span is on its owner's PENDING stack (at quiescent points); a span is retired (its
 * pages go back to the pool) only by its owner, only when USED = 0 and QUEUED is clear.
 */

/** Magic word at byte 0 of every shared heap ('HKSH' read as a big-endian u32). */
export const SHARED_HEAP_MAGIC = 0x484b5348;
/** Layout version written in the header. */
export const SHARED_HEAP_VERSION = 1;

/** log2 of the page size. */
export const PAGE_SHIFT = 16;
/** Bytes of a page (the unit of the global page allocator). */
export const PAGE = 1 << PAGE_SHIFT;

/** Bytes of the heap header. */
export const HEADER_BYTES = 256;
/** Header word indices. */
export const H_MAGIC = 0;
export const H_VERSION = 1;
export const H_PAGE_SHIFT = 2;
export const H_META_PAGES = 3;
export const H_MAX_PAGES = 4;
export const H_COMMITTED = 5;
export const H_LOCK = 6;
export const H_MAX_SLOTS = 7;
export const H_FREE_PAGES = 8;
export const H_HIGH_PAGES = 9;
export const H_PT_OFFSET = 10;
export const H_SLOT_OFFSET = 11;
export const H_HINT = 12;
export const H_NCLASSES = 13;

/** Bytes of one worker slot. */
export const SLOT_BYTES = 256;
/** Slot word indices (relative to the slot's first word). */
export const S_STATE = 0;
export const S_PENDING = 1;
export const S_ADOPTIONS = 2;
export const S_HEAD = 4;
/** Slot states. */
export const SLOT_NEVER = 0;
export const SLOT_ACTIVE = 1;
export const SLOT_ABANDONED = 2;

/** Page-map kinds (low byte of an entry). */
export const PT_FREE = 0;
export const PT_META = 1;
export const PT_SPAN = 2;
export const PT_SPAN_TAIL = 3;
export const PT_LARGE = 4;
export const PT_LARGE_TAIL = 5;
/** arg of a FREE entry that was the first page of a freed large block. */
export const FREE_WAS_LARGE = 1;

/** Span header word indices (relative to the span's first word). */
export const P_REMOTE = 272;
/** QUEUED bit in the REMOTE word. */
export const REMOTE_QUEUED = 1;
/** Mask of the block address in the REMOTE word. */
export const REMOTE_ADDR = ~15;
export const P_QNEXT = 273;
export const P_OWNER = 3;
export const P_CLASS = 4;
export const P_BSIZE = 5;
export const P_CAP = 6;
export const P_USED = 7;
export const P_FREE = 8;
export const P_BUMP = 9;
export const P_NEXT = 10;
export const P_PREV = 11;
export const P_INLIST = 12;
export const P_PAGES = 13;
export const P_TAG = 14;
/** Word offset of the ALLOC bitmap in a span header. */
export const P_ALLOC_BITS = 16;
/** Word offset of the RFREED bitmap in a span header. */
export const P_RFREED_BITS = 144;
/** Words from an ALLOC bitmap word to the matching RFREED word. */
export const RFREED_DELTA = P_RFREED_BITS - P_ALLOC_BITS;
/** Most blocks a span can track (bits per bitmap). */
export const MAX_SPAN_BLOCKS = (P_RFREED_BITS - P_ALLOC_BITS) * 32;
/** Byte offset of block 0 in a span. */
export const SPAN_FIRST = (P_RFREED_BITS + (P_RFREED_BITS - P_ALLOC_BITS)) * 4 + 64;
/** Tag xor-ed with the span address in P_TAG. */
export const SPAN_TAG = 0x5350414e;

/** Bytes of metadata (header + slot table + page map) for a heap of `maxPages` pages and `maxSlots` slots. */
export function metaBytes(maxPages: number, maxSlots: number): number {
  return HEADER_BYTES + maxSlots * SLOT_BYTES + maxPages * 4;
}
