/**
 * area.ts — mapped areas of an address space (Linux's vm_area_struct) and the sorted list that holds them.
 * Exports `Area`, `AreaList`.
 *
 * An area is a page-aligned half-open range `[start, end)` with one protection, one sharing mode and
 * (optionally) a memory object mapped from `offset`. Areas never overlap; the list is sorted by
 * `start`. Partial munmap/mprotect split an area at page boundaries (`splitAt`); neighbours that
 * became identical are merged back (`mergeAround`) so the list stays short.
 * ```
 *   0     heapStart        brk          mmapBase                             mmapLimit   2^32
 *   | guard | heap area(s) →  ...gap... | area | area |  gap  | area | ... |  (kernel)  |
 * ```
 */
import type { MemoryObject } from './memory-object.js';
import { protString } from './prot.js';

/** One mapped range. Fields are public for the machine's inspection APIs; change them only through `AreaList`/the process. */
export class Area {
  constructor(
    /** First address (page aligned). */
    public start: number,
    /** Address after the last byte (page aligned). */
    public end: number,
    /** Permission bits (PROT_R | PROT_W | PROT_X). */
    public prot: number,
    /** Shared mapping (writes reach the object and every process) or private (copy-on-write). */
    public readonly shared: boolean,
    /** The object mapped, or null for private anonymous (demand-zero) memory. */
    public readonly object: MemoryObject | null,
    /** Byte offset in the object of `start`. */
    public offset: number,
    /** Part of the brk heap. */
    public readonly heap: boolean,
  ) {}

  /** Bytes covered. */
  get length(): number {
    return this.end - this.start;
  }

  /** A copy (the object gains a mapping). */
  clone(): Area {
    if (this.object !== null) this.object.mappings++;
    return new Area(this.start, this.end, this.prot, this.shared, this.object, this.offset, this.heap);
  }

  /** Can `next` (which starts at this area's end) be merged into this one? */
  mergeable(next: Area): boolean {
    return this.end === next.start && this.prot === next.prot && this.shared === next.shared && this.object === next.object &&
      this.heap === next.heap && (this.object === null || this.offset + this.length === next.offset);
  }

  /** `[0x10000, 0x12000) rw- private heap` — for reports. */
  describe(): string {
    const hex = (n: number) => '0x' + n.toString(16).padStart(8, '0');
    const what = this.heap ? 'heap' : this.object === null ? 'anon' : `${this.object.name}+0x${this.offset.toString(16)}`;
    return `[${hex(this.start)}, ${hex(this.end)}) ${protString(this.prot)} ${this.shared ? 'shared' : 'private'} ${what}`;
  }
}

/** The sorted, non-overlapping list of an address space's areas. */
export class AreaList {
  /** Areas by ascending start. */
  readonly list: Area[] = [];
  private lastHit = -1;

  /** Index of the area containing `addr`, or -1. */
  indexOf(addr: number): number {
    const l = this.list;
    const h = this.lastHit;
    if (h >= 0 && h < l.length && l[h].start <= addr && addr < l[h].end) return h;
    let lo = 0;
    let hi = l.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const a = l[mid];
      if (addr < a.start) hi = mid - 1;
      else if (addr >= a.end) lo = mid + 1;
      else return (this.lastHit = mid);
    }
    return -1;
  }

  /** The area containing `addr`, or null. */
  find(addr: number): Area | null {
    const i = this.indexOf(addr);
    return i < 0 ? null : this.list[i];
  }

  /** Index of the first area whose end is above `addr` (the list length when none). */
  firstEndingAfter(addr: number): number {
    let lo = 0;
    let hi = this.list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.list[mid].end <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Inserts an area that overlaps none; returns its index. */
  insert(a: Area): number {
    const i = this.firstEndingAfter(a.start);
    this.list.splice(i, 0, a);
    this.lastHit = -1;
    return i;
  }

  /** Splits the area strictly containing `addr` (start < addr < end) in two at `addr`. */
  splitAt(addr: number): void {
    const i = this.indexOf(addr);
    if (i < 0) return;
    const a = this.list[i];
    if (a.start === addr) return;
    const b = a.clone();
    b.start = addr;
    b.offset = a.offset + (addr - a.start);
    a.end = addr;
    this.list.splice(i + 1, 0, b);
    this.lastHit = -1;
  }

  /** Removes and returns the areas inside `[start, end)` (split first so none straddles a bound). */
  removeRange(start: number, end: number): Area[] {
    const i = this.firstEndingAfter(start);
    let j = i;
    while (j < this.list.length && this.list[j].start < end) j++;
    this.lastHit = -1;
    return this.list.splice(i, j - i);
  }

  /** True when `[start, end)` is covered by areas without a hole. */
  covers(start: number, end: number): boolean {
    let at = start;
    for (let i = this.firstEndingAfter(start); i < this.list.length && at < end; i++) {
      const a = this.list[i];
      if (a.start > at) return false;
      at = a.end;
    }
    return at >= end;
  }

  /** True when no area meets `[start, end)`. */
  isFree(start: number, end: number): boolean {
    const i = this.firstEndingAfter(start);
    return i >= this.list.length || this.list[i].start >= end;
  }

  /** Lowest address ≥ `from` of a gap of `length` bytes ending at or below `limit`; -1 when none. First fit. */
  findGap(length: number, from: number, limit: number): number {
    let at = from;
    for (let i = this.firstEndingAfter(from); i < this.list.length; i++) {
      const a = this.list[i];
      if (a.start >= at + length) break;
      if (a.end > at) at = a.end;
    }
    return at + length <= limit ? at : -1;
  }

  /** Merges the areas meeting `[start, end)` with equal neighbours; `onMerge(dropped)` is told of each area absorbed. */
  mergeAround(start: number, end: number, onMerge: (dropped: Area) => void): void {
    let i = Math.max(0, this.firstEndingAfter(start) - 1);
    while (i + 1 < this.list.length && this.list[i].start <= end) {
      const a = this.list[i];
      const b = this.list[i + 1];
      if (a.mergeable(b)) {
        a.end = b.end;
        this.list.splice(i + 1, 1);
        onMerge(b);
      } else i++;
    }
    this.lastHit = -1;
  }

  /** Lists violated invariants: sorted, non-overlapping, page aligned, non-empty. */
  check(pageSize: number): string[] {
    const out: string[] = [];
    let prevEnd = 0;
    for (const a of this.list) {
      if (a.start % pageSize !== 0 || a.end % pageSize !== 0) out.push(`area ${a.describe()} not page aligned`);
      if (a.end <= a.start) out.push(`area ${a.describe()} empty`);
      if (a.start < prevEnd) out.push(`area ${a.describe()} overlaps the previous one`);
      if (a.object !== null && a.offset + a.length > a.object.pages * pageSize) out.push(`area ${a.describe()} runs past its object`);
      prevEnd = a.end;
    }
    return out;
  }
}
