/**
 * process.ts — a process: an address space (areas + page table), its software TLB, loads and stores, the page-fault
 * handler, mmap/munmap/mprotect/brk, fork with copy-on-write, and exit. Exports `Process`, `MmapOptions`, `ProcessStats`, `AreaInfo`, `PageInfo`.
 *
 * Loads and stores go through a two-level software TLB:
 * ```
 *   L0 (micro-TLB, one entry per direction, plain fields — the fast path):
 *     rPage, rDelta   page address (as int32) of the last page loaded from, and frameBase − page
 *     wPage, wDelta   the same for the last page stored to (only once the page is writable and dirty)
 *     hit test:  (addr & (~offMask | (width − 1))) === rPage     — page match and alignment in one compare
 *     access:    m32[(addr + rDelta) >>> 2]
 *   L1 (direct-mapped, index i = vpn & (entries − 1), typed arrays — the miss path):
 *     tlbR[i]    vpn if a load may use the entry, else −1
 *     tlbW[i]    vpn if a store may use the entry, else −1   (−1 for COW, read-only and not-yet-dirty pages)
 *     tlbBase[i] byte offset of the page's frame in PhysicalMemory
 * ```
 * Sequential access stays in L0 for a whole page, so a load costs a mask, a compare, an add and one
 * typed-array access. An L0 miss consults L1 and refills L0; an L1 miss walks the page table
 * (`translate`), takes the fault if the PTE is absent or lacks the permission (`fault`), and refills
 * both. Both levels are flushed (fully or per page) whenever this process's PTEs lose a permission
 * or a frame: munmap, mprotect, fork (the parent's writable private pages become COW), exit, and any
 * page walk (a fault may have replaced the frame behind L0). Other processes never change this
 * process's PTEs, so no cross-process shootdown is needed.
 *
 * Page-fault handler, in order: no area → SegmentationFault 'not-mapped'; area forbids the access →
 * 'read-denied'/'write-denied'/'exec-denied'; page absent → demand paging (zero frame for anonymous
 * memory, the object's cached frame — read in first on a major fault — for object mappings, mapped
 * COW in private ones; a first write to a private object page copies it at once); present but COW
 * and written → copy the frame, or just re-enable writes when this PTE holds its only reference.
 * The faulting access then "restarts": the caller re-reads the PTE and completes the load or store.
 *
 * Multi-byte accesses are little-endian (the typed arrays' byte order on every platform JavaScript
 * runs on); aligned ones take the fast path, unaligned ones are done byte by byte (and may span two pages, faulting on each). Addresses are taken modulo 2^32, like a
 * 32-bit register.
 */
import { Area, AreaList } from './area.js';
import { InvalidArgumentError, OutOfAddressSpaceError, OutOfFramesError, ProcessExitedError, SegmentationFault, type SegvReason } from './errors.js';
import { FaultCounters, type FaultCounterValues, type Kernel } from './kernel.js';
import { MemoryObject } from './memory-object.js';
import { PageTable, PTE_A, PTE_C, PTE_D, PTE_FLAGS, PTE_P, PTE_S, pteFrame } from './page-table.js';
import type { PhysicalMemory } from './physical-memory.js';
import { parseProt, protString, PROT_R, PROT_W, PROT_X, type Prot } from './prot.js';
import { HeapMemory, type HeapPager } from './heap-memory.js';

/** Options of {@link Process.mmap}. */
export interface MmapOptions {
  /** Protection of the new pages. */
  prot: Prot;
  /** `shared`: writes reach the object and every process mapping it; `private`: copy-on-write. */
  flags: 'shared' | 'private';
  /** The object to map (or its name); omitted: anonymous memory (demand-zero). */
  object?: MemoryObject | string;
  /** Byte offset in the object (page aligned). Default 0. */
  offset?: number;
}

/** One area, as `/proc/<pid>/maps` shows it. */
export interface AreaInfo {
  start: number;
  end: number;
  /** `rw-`, `r-x`... */
  prot: string;
  shared: boolean;
  /** Object name, `null` for anonymous private memory. */
  object: string | null;
  offset: number;
  heap: boolean;
}

/** One present page-table entry. */
export interface PageInfo {
  /** Virtual page number. */
  vpn: number;
  /** Virtual address of the page. */
  address: number;
  /** Frame it maps. */
  frame: number;
  /** `P R W X C A D S` letters of the set bits, `-` for clear ones: e.g. `PR--CA--`. */
  flags: string;
  writable: boolean;
  cow: boolean;
  shared: boolean;
  /** References to the frame (page tables + object cache). */
  refs: number;
}

/** Per-process figures. */
export interface ProcessStats extends FaultCounterValues {
  pid: number;
  ppid: number;
  /** Pages present in the page table (resident set). */
  residentPages: number;
  /** Resident pages whose frame is mapped by another page table too. */
  sharedPages: number;
  /** Pages covered by areas. */
  mappedPages: number;
  /** Areas. */
  areas: number;
  /** Current break. */
  brk: number;
}

const scratch = new ArrayBuffer(8);
const scratchU8 = new Uint8Array(scratch);
const scratchF64 = new Float64Array(scratch);
const ADDR_SPACE = 0x1_0000_0000;

/** A process with its own address space. Created by `machine.spawn()` or `process.fork()`. */
export class Process implements HeapPager {
  /** Process id. */
  readonly pid: number;
  /** Parent's pid (0 for a spawned process). */
  readonly ppid: number;
  /** Bytes per page. */
  readonly pageSize: number;
  /** First heap address. */
  readonly heapStart: number;
  /** Highest break. */
  readonly heapLimit: number;
  /** True after `exit()`. */
  exited = false;
  /** Exit status given to `exit()`. */
  exitCode = 0;

  private readonly k: Kernel<Process>;
  private readonly phys: PhysicalMemory;
  private readonly shift: number;
  private readonly offMask: number;
  private readonly pt: PageTable;
  private readonly areas = new AreaList();
  private readonly c = new FaultCounters();
  private readonly tlbMask: number;
  private readonly tlbR: Int32Array;
  private readonly tlbW: Int32Array;
  private readonly tlbBase: Int32Array;
  /** L0: the last page loaded from (int32 page address, −1 = none) and frameBase − page. */
  private rPage = -1;
  private rDelta = 0;
  /** L0: the last page stored to. */
  private wPage = -1;
  private wDelta = 0;
  /** Where a load's miss path leaves a value it served itself (unaligned, heap view). */
  private readonly out32 = new Uint32Array(1);
  private readonly outF64 = new Float64Array(1);
  /** L0 hit masks per access width: page bits plus the low bits that must be zero (alignment). */
  private readonly mask1: number;
  private readonly mask2: number;
  private readonly mask4: number;
  private readonly mask8: number;
  private readonly m8: Uint8Array;
  private readonly m16: Uint16Array;
  private readonly m32: Uint32Array;
  private readonly mf64: Float64Array;
  private _brk: number;
  private view: HeapMemory | null = null;

  /** @internal — use `machine.spawn()` or `fork()`. */
  constructor(k: Kernel<Process>, ppid: number) {
    this.k = k;
    this.pid = k.nextPid++;
    this.ppid = ppid;
    const phys = (this.phys = k.phys);
    this.pageSize = phys.pageSize;
    this.shift = phys.shift;
    this.offMask = phys.pageSize - 1;
    this.heapStart = k.layout.heapStart;
    this.heapLimit = k.layout.mmapBase;
    this._brk = this.heapStart;
    this.pt = new PageTable(32 - phys.shift);
    this.tlbMask = k.tlbEntries - 1;
    this.tlbR = new Int32Array(k.tlbEntries).fill(-1);
    this.tlbW = new Int32Array(k.tlbEntries).fill(-1);
    this.tlbBase = new Int32Array(k.tlbEntries);
    this.mask1 = ~this.offMask;
    this.mask2 = ~this.offMask | 1;
    this.mask4 = ~this.offMask | 3;
    this.mask8 = ~this.offMask | 7;
    this.m8 = phys.u8;
    this.m16 = phys.u16;
    this.m32 = phys.u32;
    this.mf64 = phys.f64;
    k.procs.set(this.pid, this);
  }

  // ---------------------------------------------------------------- loads and stores (TLB fast paths)

  // A load's miss path never returns the value through a call (that would box it): it either refills
  // L0 so the fast path's own typed-array read serves the load, or leaves the value in a typed scratch cell.

  /** Loads the byte at `addr`. */
  load8(addr: number): number {
    if ((addr & this.mask1) === this.rPage) return this.m8[addr + this.rDelta];
    return this.loadMiss(addr, 1) ? this.m8[addr + this.rDelta] : this.out32[0];
  }

  /** Loads the little-endian 16-bit word at `addr`. */
  load16(addr: number): number {
    if ((addr & this.mask2) === this.rPage) return this.m16[(addr + this.rDelta) >>> 1];
    return this.loadMiss(addr, 2) ? this.m16[(addr + this.rDelta) >>> 1] : this.out32[0];
  }

  /** Loads the little-endian unsigned 32-bit word at `addr`. */
  load32(addr: number): number {
    if ((addr & this.mask4) === this.rPage) return this.m32[(addr + this.rDelta) >>> 2];
    return this.loadMiss(addr, 4) ? this.m32[(addr + this.rDelta) >>> 2] : this.out32[0];
  }

  /** Loads the 64-bit float at `addr`. */
  loadF64(addr: number): number {
    if ((addr & this.mask8) === this.rPage) return this.mf64[(addr + this.rDelta) >>> 3];
    return this.loadMiss(addr, 8) ? this.mf64[(addr + this.rDelta) >>> 3] : this.outF64[0];
  }

  /** Stores the low byte of `value` at `addr`. */
  store8(addr: number, value: number): void {
    if ((addr & this.mask1) === this.wPage) this.m8[addr + this.wDelta] = value;
    else this.storeMiss(addr, value, 1);
  }

  /** Stores the low 16 bits of `value` at `addr`, little-endian. */
  store16(addr: number, value: number): void {
    if ((addr & this.mask2) === this.wPage) this.m16[(addr + this.wDelta) >>> 1] = value;
    else this.storeMiss(addr, value, 2);
  }

  /** Stores the low 32 bits of `value` at `addr`, little-endian. */
  store32(addr: number, value: number): void {
    if ((addr & this.mask4) === this.wPage) this.m32[(addr + this.wDelta) >>> 2] = value;
    else this.storeMiss(addr, value, 4);
  }

  /** Stores the 64-bit float `value` at `addr`. */
  storeF64(addr: number, value: number): void {
    if ((addr & this.mask8) === this.wPage) this.mf64[(addr + this.wDelta) >>> 3] = value;
    else this.storeMiss(addr, value, 8);
  }

  /** Loads the 32-bit word at `addr` as an instruction fetch: needs execute permission (not read). */
  fetch32(addr: number): number {
    let v = 0;
    for (let j = 3; j >= 0; j--) v = v * 256 + this.byteAt((addr + j) >>> 0, PROT_X);
    return v;
  }

  /** Reads `length` bytes from `addr` (through the page table: faults and permission checks apply). */
  read(addr: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let j = 0; j < length; j++) out[j] = this.load8((addr + j) >>> 0);
    return out;
  }

  /** Writes `bytes` at `addr` (through the page table). */
  write(addr: number, bytes: ArrayLike<number>): void {
    for (let j = 0; j < bytes.length; j++) this.store8((addr + j) >>> 0, bytes[j]);
  }

  // The slow paths never call the fast paths back (no recursion), so V8 keeps inlining the fast paths
  // into callers' loops.

  /**
   * L0 missed on a load: an aligned access consults L1 (walking the page table on a miss), refills L0 and
   * returns true; an unaligned or heap-view access leaves its value in `out32`/`outF64` and returns false.
   */
  private loadMiss(addr: number, size: number): boolean {
    addr = addr >>> 0;
    if ((addr & (size - 1)) !== 0) {
      this.loadUnaligned(addr, size);
      return false;
    }
    const vpn = addr >>> this.shift;
    const i = vpn & this.tlbMask;
    let base: number;
    if (this.tlbR[i] === vpn) base = this.tlbBase[i];
    else {
      const pa = this.translate(addr, PROT_R);
      if (pa < 0) {
        const v = this.view as HeapMemory;
        if (size === 8) this.outF64[0] = v.f64[addr >>> 3];
        else this.out32[0] = size === 1 ? v.u8[addr] : size === 2 ? v.u16[addr >>> 1] : v.u32[addr >>> 2];
        return false;
      }
      base = pa - (addr & this.offMask);
    }
    const page = vpn * this.pageSize;
    this.rPage = page | 0;
    this.rDelta = base - page;
    return true;
  }

  /** One byte through the page table (the unaligned paths' unit). */
  private byteAt(addr: number, access: number): number {
    const pa = this.translate(addr, access);
    return pa < 0 ? (this.view as HeapMemory).u8[addr] : this.m8[pa];
  }

  private loadUnaligned(addr: number, size: number): void {
    for (let j = 0; j < size; j++) scratchU8[j] = this.byteAt((addr + j) >>> 0, PROT_R);
    if (size === 8) {
      this.outF64[0] = scratchF64[0];
      return;
    }
    let v = 0;
    for (let j = size - 1; j >= 0; j--) v = v * 256 + scratchU8[j];
    this.out32[0] = v;
  }

  /** L0 missed on a store: consult L1, walk and fault as needed, refill L0, store. */
  private storeMiss(addr: number, value: number, size: number): void {
    addr = addr >>> 0;
    if ((addr & (size - 1)) !== 0) return this.storeUnaligned(addr, value, size);
    const vpn = addr >>> this.shift;
    const i = vpn & this.tlbMask;
    let base: number;
    if (this.tlbW[i] === vpn) base = this.tlbBase[i];
    else {
      const pa = this.translate(addr, PROT_W);
      if (pa < 0) {
        const v = this.view as HeapMemory;
        if (size === 1) v.u8[addr] = value;
        else if (size === 2) v.u16[addr >>> 1] = value;
        else if (size === 4) v.u32[addr >>> 2] = value;
        else v.f64[addr >>> 3] = value;
        return;
      }
      base = pa - (addr & this.offMask);
    }
    const page = vpn * this.pageSize;
    this.wPage = page | 0;
    this.wDelta = base - page;
    const pa = base + (addr & this.offMask);
    if (size === 1) this.m8[pa] = value;
    else if (size === 2) this.m16[pa >>> 1] = value;
    else if (size === 4) this.m32[pa >>> 2] = value;
    else this.mf64[pa >>> 3] = value;
  }

  private storeUnaligned(addr: number, value: number, size: number): void {
    if (size === 8) scratchF64[0] = value;
    else for (let j = 0, x = value >>> 0; j < size; j++, x >>>= 8) scratchU8[j] = x & 0xff;
    // Fault every byte's page in first, so a fault on the second page leaves the first page's bytes untouched.
    for (let j = 0; j < size; j++) this.translate((addr + j) >>> 0, PROT_W);
    for (let j = 0; j < size; j++) {
      const a = (addr + j) >>> 0;
      const pa = this.translate(a, PROT_W);
      if (pa < 0) (this.view as HeapMemory).u8[a] = scratchU8[j];
      else this.m8[pa] = scratchU8[j];
    }
  }

  // ---------------------------------------------------------------- translation and the fault handler

  /**
   * The physical byte offset of `addr` for an access (`PROT_R`, `PROT_W` or `PROT_X`), taking the page
   * fault if needed and refilling the TLB; -1 when the address is a heap page held by the heap view.
   */
  private translate(addr: number, access: number): number {
    if (this.exited) throw new ProcessExitedError(this.pid);
    // A walk may replace the frame behind a page (COW): forget L0, the caller refills it.
    this.rPage = -1;
    this.wPage = -1;
    this.c.tlbMisses++;
    this.k.counters.tlbMisses++;
    if (this.view !== null && addr >= this.heapStart && addr < this.view.u8.length && addr < this.heapLimit) {
      const a = this.areas.find(addr);
      if (a === null) this.segv(addr, 'not-mapped');
      else if ((a.prot & access) === 0) this.segv(addr, deniedReason(access));
      return -1;
    }
    const vpn = addr >>> this.shift;
    let pte = this.pt.get(vpn);
    if ((pte & PTE_P) === 0 || (pte & access) === 0) pte = this.fault(addr, access);
    // Hardware sets Accessed on every walk and Dirty on the first write through the entry.
    const flags = (pte | PTE_A | (access === PROT_W ? PTE_D : 0)) & PTE_FLAGS;
    if (flags !== (pte & PTE_FLAGS)) {
      this.pt.setFlags(vpn, flags);
      pte = this.pt.get(vpn);
    }
    const base = pteFrame(pte) * this.pageSize;
    if (access !== PROT_X) {
      const i = vpn & this.tlbMask;
      this.tlbBase[i] = base;
      this.tlbR[i] = pte & PROT_R ? vpn : -1;
      // A store may use the entry only once the page is dirty, so the first store sets D through here.
      this.tlbW[i] = (pte & PROT_W) !== 0 && (pte & PTE_D) !== 0 ? vpn : -1;
    }
    return base + (addr & this.offMask);
  }

  private segv(addr: number, reason: SegvReason): never {
    this.c.segfaults++;
    this.k.counters.segfaults++;
    this.k.events.log('segv', this.pid, addr, 0);
    throw new SegmentationFault(addr, reason, this.pid);
  }

  /** PTE flags an area gives a page (`cow`: the frame may be shared, so no hardware write permission). */
  private flagsFor(area: Area, cow: boolean): number {
    let f = PTE_P | (area.prot & (PROT_R | PROT_X));
    if (area.shared) f |= PTE_S;
    else if (cow) f |= PTE_C;
    if ((area.prot & PROT_W) !== 0 && (area.shared || !cow)) f |= PROT_W;
    return f;
  }

  /** Resolves a fault at `addr` for `access`; returns the new PTE or throws. Nothing changes when it throws. */
  private fault(addr: number, access: number): number {
    const area = this.areas.find(addr);
    if (area === null) return this.segv(addr, 'not-mapped');
    if ((area.prot & access) === 0) return this.segv(addr, deniedReason(access));
    const vpn = addr >>> this.shift;
    const page = vpn * this.pageSize;
    const pte = this.pt.get(vpn);
    const c = this.c;
    const g = this.k.counters;
    const ev = this.k.events;
    const phys = this.phys;
    if ((pte & PTE_P) !== 0) {
      if (access === PROT_W && (pte & PTE_C) !== 0) return this.breakCow(vpn, page, pte, area);
      // The PTE lacks a permission the area grants (not produced by this machine's own paths): re-derive it.
      this.pt.setFlags(vpn, this.flagsFor(area, (pte & PTE_C) !== 0) | (pte & (PTE_A | PTE_D)));
      return this.pt.get(vpn);
    }
    const obj = area.object;
    if (obj === null) {
      const f = phys.allocZeroed();
      if (f < 0) throw new OutOfFramesError(`out of physical frames on a demand-zero fault at 0x${page.toString(16)}`, addr);
      phys.map(f);
      this.pt.set(vpn, (f << 8) | this.flagsFor(area, false));
      c.minorFaults++;
      g.minorFaults++;
      ev.log('fault', this.pid, page, f);
      return this.pt.get(vpn);
    }
    const pg = (area.offset + (page - area.start)) / this.pageSize;
    // Reading a page of a named object from its backing bytes is "I/O" (major); an anonymous object's first touch is demand-zero (minor).
    const major = !obj.cached(pg) && !obj.anonymous;
    const fresh = !obj.cached(pg);
    const copy = !area.shared && access === PROT_W;
    if (phys.freeFrames < (fresh ? 1 : 0) + (copy ? 1 : 0)) throw new OutOfFramesError(`out of physical frames on a fault at 0x${page.toString(16)}`, addr);
    const src = obj.page(pg, addr);
    if (major) {
      c.majorFaults++;
      g.majorFaults++;
      ev.log('page-in', this.pid, page, src);
    } else {
      c.minorFaults++;
      g.minorFaults++;
      ev.log('fault', this.pid, page, src);
    }
    if (copy) {
      const f = phys.alloc();
      phys.copy(f, src);
      phys.map(f);
      this.pt.set(vpn, (f << 8) | this.flagsFor(area, false));
      c.cowCopies++;
      g.cowCopies++;
      ev.log('cow-copy', this.pid, page, f);
    } else {
      phys.map(src);
      this.pt.set(vpn, (src << 8) | this.flagsFor(area, !area.shared));
    }
    return this.pt.get(vpn);
  }

  /** A write to a present COW page: copy the frame, or re-enable writes when this PTE is its only reference. */
  private breakCow(vpn: number, page: number, pte: number, area: Area): number {
    const c = this.c;
    const g = this.k.counters;
    const phys = this.phys;
    const f = pteFrame(pte);
    const keep = pte & (PTE_A | PTE_D);
    if (phys.refs[f] === 1) {
      this.pt.setFlags(vpn, this.flagsFor(area, false) | keep);
      c.cowReuses++;
      g.cowReuses++;
      this.k.events.log('cow-reuse', this.pid, page, f);
    } else {
      const nf = phys.alloc();
      if (nf < 0) throw new OutOfFramesError(`out of physical frames copying a copy-on-write page at 0x${page.toString(16)}`, page);
      phys.copy(nf, f);
      phys.map(nf);
      phys.unmap(f);
      this.pt.set(vpn, (nf << 8) | this.flagsFor(area, false) | keep);
      c.cowCopies++;
      g.cowCopies++;
      this.k.events.log('cow-copy', this.pid, page, nf);
    }
    c.cowFaults++;
    g.cowFaults++;
    c.minorFaults++;
    g.minorFaults++;
    return this.pt.get(vpn);
  }

  // ---------------------------------------------------------------- TLB maintenance

  /** Forgets every TLB entry. */
  private flushTlb(): void {
    this.tlbR.fill(-1);
    this.tlbW.fill(-1);
    this.rPage = -1;
    this.wPage = -1;
  }

  /** Forgets the TLB entries of pages in `[start, end)`. */
  private flushRange(start: number, end: number): void {
    const from = start >>> this.shift;
    const to = Math.ceil(end / this.pageSize);
    this.rPage = -1;
    this.wPage = -1;
    if (to - from > this.tlbMask) return this.flushTlb();
    for (let v = from; v < to; v++) {
      const i = v & this.tlbMask;
      if (this.tlbR[i] === v || this.tlbW[i] === v) {
        this.tlbR[i] = -1;
        this.tlbW[i] = -1;
      }
    }
  }

  // ---------------------------------------------------------------- mapping

  private alive(): void {
    if (this.exited) throw new ProcessExitedError(this.pid);
  }

  private checkRange(op: string, addr: number, length: number): void {
    const ps = this.pageSize;
    if (!Number.isInteger(addr) || addr < 0 || addr % ps !== 0) throw new InvalidArgumentError(`${op}: address ${String(addr)} is not page aligned (page size ${ps})`, Number.isInteger(addr) ? addr : 0);
    if (!Number.isInteger(length) || length <= 0 || length % ps !== 0) throw new InvalidArgumentError(`${op}: length ${String(length)} is not a positive multiple of the page size ${ps}`, addr);
    if (addr + length > ADDR_SPACE) throw new InvalidArgumentError(`${op}: range [0x${addr.toString(16)}, +${length}) runs past the 32-bit address space`, addr);
  }

  /**
   * Maps `length` bytes (a positive multiple of the page size) at an address the kernel picks (first
   * fit from `mmapBase`) and returns it. Pages are mapped on first touch. Throws InvalidArgumentError for
   * bad arguments, OutOfAddressSpaceError when no gap is large enough; nothing changes then.
   */
  mmap(length: number, opts: MmapOptions): number {
    this.alive();
    const ps = this.pageSize;
    if (!Number.isInteger(length) || length <= 0 || length % ps !== 0) throw new InvalidArgumentError(`mmap: length ${String(length)} is not a positive multiple of the page size ${ps}`);
    if (opts === null || typeof opts !== 'object') throw new InvalidArgumentError('mmap: options { prot, flags } are required');
    const prot = parseProt(opts.prot);
    if (opts.flags !== 'shared' && opts.flags !== 'private') throw new InvalidArgumentError(`mmap: flags must be 'shared' or 'private', not ${JSON.stringify(opts.flags)}`);
    const shared = opts.flags === 'shared';
    const offset = opts.offset ?? 0;
    let obj: MemoryObject | null = null;
    if (opts.object !== undefined) {
      const o = typeof opts.object === 'string' ? this.k.objects.get(opts.object) : opts.object;
      if (!(o instanceof MemoryObject) || this.k.objects.get(o.name) !== o) throw new InvalidArgumentError(`mmap: unknown object ${typeof opts.object === 'string' ? JSON.stringify(opts.object) : String((opts.object as MemoryObject)?.name)}`);
      if (!Number.isInteger(offset) || offset < 0 || offset % ps !== 0) throw new InvalidArgumentError(`mmap: offset ${String(offset)} is not a page-aligned byte offset`);
      if (offset + length > o.pages * ps) throw new InvalidArgumentError(`mmap: [${offset}, ${offset + length}) runs past the end of object ${o.name} (${o.pages} pages)`);
      obj = o;
    } else if (offset !== 0) {
      throw new InvalidArgumentError('mmap: offset given without an object');
    }
    const { mmapBase, mmapLimit } = this.k.layout;
    const start = this.areas.findGap(length, mmapBase, mmapLimit);
    if (start < 0) throw new OutOfAddressSpaceError(`mmap: no gap of ${length} bytes in [0x${mmapBase.toString(16)}, 0x${mmapLimit.toString(16)})`);
    if (obj === null && shared) obj = new MemoryObject(this.phys, `[anon:${++this.k.anonObjects}]`, null, length, true);
    if (obj !== null) obj.mappings++;
    this.areas.insert(new Area(start, start + length, prot, shared, obj, obj === null ? 0 : offset, false));
    this.areas.mergeAround(start, start + length, (a) => this.dropArea(a));
    this.k.events.log('map', this.pid, start, length);
    return start;
  }

  /**
   * Unmaps every page in `[addr, addr + length)` (page aligned), splitting areas that straddle the bounds.
   * Unmapped holes are fine. Heap-view bytes in the range are discarded (they read as zeros afterwards).
   */
  munmap(addr: number, length: number): void {
    this.alive();
    this.checkRange('munmap', addr, length);
    this.unmapRange(addr, addr + length);
    this.k.events.log('unmap', this.pid, addr, length);
  }

  /** Removes areas and pages of `[start, end)`; returns frames freed. */
  private unmapRange(start: number, end: number): number {
    this.areas.splitAt(start);
    this.areas.splitAt(end);
    let freed = 0;
    for (const a of this.areas.removeRange(start, end)) {
      freed += this.unmapPages(a.start, a.end);
      this.dropArea(a);
    }
    this.flushRange(start, end);
    if (this.view !== null) this.view.zero(start, end);
    return freed;
  }

  /** Clears the present PTEs in `[start, end)`, dropping their frames; returns frames freed. */
  private unmapPages(start: number, end: number): number {
    let freed = 0;
    this.pt.forEach(start >>> this.shift, Math.ceil(end / this.pageSize), (vpn, pte) => {
      this.pt.clear(vpn);
      if (this.phys.unmap(pteFrame(pte))) freed++;
    });
    return freed;
  }

  /** An area left the address space: its object loses a mapping (an anonymous object with none left dies). */
  private dropArea(a: Area): void {
    const o = a.object;
    if (o !== null && --o.mappings === 0 && o.anonymous) o.release();
  }

  /**
   * Changes the protection of `[addr, addr + length)`, splitting areas at the bounds. The whole range
   * must be mapped (else OutOfAddressSpaceError, like Linux's ENOMEM); bad arguments throw
   * InvalidArgumentError. Nothing changes when it throws. Pages shared copy-on-write stay write-protected
   * in the page table even when the area becomes writable: the next write still copies.
   * With a heap view, pending heap writes are synced first, under the old protection (a write the old
   * protection forbade surfaces here as a SegmentationFault, and the protection is not changed).
   */
  mprotect(addr: number, length: number, prot: Prot): void {
    this.alive();
    this.checkRange('mprotect', addr, length);
    const bits = parseProt(prot);
    const end = addr + length;
    if (!this.areas.covers(addr, end)) throw new OutOfAddressSpaceError(`mprotect: [0x${addr.toString(16)}, 0x${end.toString(16)}) is not entirely mapped`, addr);
    if (this.view !== null && addr < this.view.u8.length) this.view.sync();
    this.areas.splitAt(addr);
    this.areas.splitAt(end);
    for (let i = this.areas.firstEndingAfter(addr); i < this.areas.list.length && this.areas.list[i].start < end; i++) {
      const a = this.areas.list[i];
      a.prot = bits;
      this.pt.forEach(a.start >>> this.shift, a.end / this.pageSize, (vpn, pte) => {
        this.pt.setFlags(vpn, this.flagsFor(a, (pte & PTE_C) !== 0) | (pte & (PTE_A | PTE_D)));
      });
    }
    this.areas.mergeAround(addr, end, (a) => this.dropArea(a));
    this.flushRange(addr, end);
    this.k.events.log('protect', this.pid, addr, length);
  }

  /** The current program break (end of the brk heap). */
  get brk(): number {
    return this._brk;
  }

  /**
   * Moves the break by `increment` bytes (negative shrinks, unmapping whole pages above the new break)
   * and returns the old break, or -1 when the heap cannot move there (below `heapStart`, into `mmapBase`).
   */
  sbrk(increment: number): number {
    this.alive();
    const old = this._brk;
    if (!Number.isInteger(increment)) return -1;
    if (this.view !== null) {
      if (increment >= 0) return this.view.sbrk(increment);
      return this.view.setBrk(old + increment) ? old : -1;
    }
    return this.moveBreak(old + increment) ? old : -1;
  }

  /** Sets the break to `addr`; false when impossible. */
  setBrk(addr: number): boolean {
    this.alive();
    if (this.view !== null) return this.view.setBrk(addr);
    return this.moveBreak(addr);
  }

  /** @internal (HeapPager) — moves the break, mapping or unmapping heap pages. */
  moveBreak(addr: number): boolean {
    if (this.exited || !Number.isInteger(addr) || addr < this.heapStart || addr > this.heapLimit) return false;
    const ps = this.pageSize;
    const oldTop = Math.ceil(this._brk / ps) * ps;
    const newTop = Math.ceil(addr / ps) * ps;
    if (newTop > oldTop) {
      if (!this.areas.isFree(oldTop, newTop)) return false;
      this.areas.insert(new Area(oldTop, newTop, PROT_R | PROT_W, false, null, 0, true));
      this.areas.mergeAround(oldTop, newTop, (a) => this.dropArea(a));
    } else if (newTop < oldTop) {
      this.unmapRange(newTop, oldTop);
    }
    if (addr !== this._brk) this.k.events.log('brk', this.pid, addr, addr - this._brk);
    this._brk = addr;
    return true;
  }

  // ---------------------------------------------------------------- the heap as linear memory

  /**
   * The brk heap as a heapkit `LinearMemory` (created and materialised on the first call; the same
   * object afterwards). Pass it to `attachHeap`/`createHeap` to run an allocator in this process.
   * Changes made through its views reach the page table at `sync()` (see heap-memory.ts).
   */
  heapMemory(): HeapMemory {
    this.alive();
    if (this.view === null) {
      this.view = new HeapMemory(this);
      // From now on heap addresses are served by the view: forget translations cached before it existed.
      this.flushTlb();
    }
    return this.view;
  }

  /** Writes back the heap view's changed pages through the page table (faults and COW copies happen now). Returns pages written; 0 without a view. */
  sync(): number {
    this.alive();
    return this.view === null ? 0 : this.view.sync();
  }

  /** @internal (HeapPager) — copies what the page table maps at page `vaddr` into `dst`. */
  readPage(vaddr: number, dst: Uint8Array): void {
    const ps = this.pageSize;
    const pte = this.pt.get(vaddr >>> this.shift);
    if ((pte & PTE_P) === 0) dst.fill(0, vaddr, vaddr + ps);
    else {
      const b = pteFrame(pte) * ps;
      dst.set(this.m8.subarray(b, b + ps), vaddr);
    }
  }

  /** @internal (HeapPager) — writes the page at `vaddr` of `src` through the page table if its bytes changed. */
  writeBackPage(vaddr: number, src: Uint8Array): boolean {
    const ps = this.pageSize;
    const pte = this.pt.get(vaddr >>> this.shift);
    let diff = -1;
    if ((pte & PTE_P) === 0) {
      for (let j = 0; j < ps; j++) if (src[vaddr + j] !== 0) { diff = j; break; }
    } else {
      const m = this.m8;
      const b = pteFrame(pte) * ps;
      for (let j = 0; j < ps; j++) if (src[vaddr + j] !== m[b + j]) { diff = j; break; }
    }
    if (diff < 0) return false;
    // The first changed byte is the faulting store: it takes the fault (or the SegmentationFault).
    const view = this.view;
    this.view = null;
    let pa: number;
    try {
      pa = this.translate(vaddr + diff, PROT_W);
    } finally {
      this.view = view;
    }
    const base = pa - diff;
    this.m8.set(src.subarray(vaddr, vaddr + ps), base);
    this.c.writebacks++;
    this.k.counters.writebacks++;
    this.k.events.log('writeback', this.pid, vaddr, base / ps);
    // The TLB does not hold heap pages while a view exists.
    this.flushRange(vaddr, vaddr + ps);
    return true;
  }

  // ---------------------------------------------------------------- fork and exit

  /**
   * Creates a child with a copy of this address space: the areas and page table are copied, private
   * pages become read-only + COW in both, every mapped frame gains a reference. No frame is copied;
   * the cost is proportional to the pages mapped. A heap view is synced first.
   */
  fork(): Process {
    this.alive();
    if (this.view !== null) this.view.sync();
    const child = new Process(this.k, this.pid);
    for (const a of this.areas.list) child.areas.list.push(a.clone());
    const pt = this.pt;
    const cpt = child.pt;
    const phys = this.phys;
    for (let d = 0; d < pt.dir.length; d++) {
      const leaf = pt.dir[d];
      if (leaf === null) continue;
      for (let i = 0; i < leaf.length; i++) {
        const pte = leaf[i];
        if (pte === 0) continue;
        phys.map(pteFrame(pte));
        if ((pte & PTE_S) === 0) leaf[i] = (pte | PTE_C) & ~PROT_W;
      }
      cpt.dir[d] = leaf.slice();
      cpt.dirCount[d] = pt.dirCount[d];
    }
    cpt.present = pt.present;
    child._brk = this._brk;
    this.tlbW.fill(-1);
    this.wPage = -1;
    this.c.forks++;
    this.k.counters.forks++;
    this.k.events.log('fork', this.pid, 0, child.pid);
    return child;
  }

  /** Ends the process: unmaps everything (frames no one else holds return to the free pool). Idempotent. */
  exit(code = 0): void {
    if (this.exited) return;
    let freed = 0;
    for (const a of this.areas.list) {
      freed += this.unmapPages(a.start, a.end);
      this.dropArea(a);
    }
    this.areas.list.length = 0;
    this.flushTlb();
    this.view = null;
    this.exited = true;
    this.exitCode = code;
    this.k.procs.delete(this.pid);
    this.k.events.log('exit', this.pid, 0, freed);
  }

  // ---------------------------------------------------------------- inspection

  /** The areas, like `/proc/<pid>/maps`. */
  maps(): AreaInfo[] {
    return this.areas.list.map((a) => ({
      start: a.start, end: a.end, prot: protString(a.prot), shared: a.shared,
      object: a.object === null ? null : a.object.name, offset: a.offset, heap: a.heap,
    }));
  }

  /** The present page-table entries, by ascending address. */
  pageTable(): PageInfo[] {
    const out: PageInfo[] = [];
    const letters = 'PRWXCADS';
    this.pt.forEach(0, 1 << (32 - this.shift), (vpn, pte) => {
      let flags = '';
      for (let b = 0; b < 8; b++) flags += pte & (1 << b) ? letters[b] : '-';
      const frame = pteFrame(pte);
      out.push({
        vpn, address: vpn * this.pageSize, frame, flags, writable: (pte & PROT_W) !== 0, cow: (pte & PTE_C) !== 0,
        shared: (pte & PTE_S) !== 0, refs: this.phys.refs[frame],
      });
    });
    return out;
  }

  /** Per-process figures. */
  stats(): ProcessStats {
    let mapped = 0;
    for (const a of this.areas.list) mapped += a.length / this.pageSize;
    let shared = 0;
    this.pt.forEach(0, 1 << (32 - this.shift), (_vpn, pte) => {
      if (this.phys.maps[pteFrame(pte)] >= 2) shared++;
    });
    return {
      ...this.c.snapshot(), pid: this.pid, ppid: this.ppid, residentPages: this.pt.present, sharedPages: shared,
      mappedPages: mapped, areas: this.areas.list.length, brk: this._brk,
    };
  }

  /** @internal — the object mapped by the area containing `addr` (the machine's reference audit). */
  areaObject(addr: number): MemoryObject | null {
    const a = this.areas.find(addr);
    return a === null ? null : a.object;
  }

  /** @internal — calls `fn(frame)` once per present PTE (the machine's reference audit). */
  forEachFrame(fn: (frame: number) => void): void {
    this.pt.forEach(0, 1 << (32 - this.shift), (_vpn, pte) => fn(pteFrame(pte)));
  }

  /** Lists violated invariants of this address space (empty when healthy). */
  check(): string[] {
    const out = [...this.areas.check(this.pageSize), ...this.pt.check()];
    this.pt.forEach(0, 1 << (32 - this.shift), (vpn, pte) => {
      const addr = vpn * this.pageSize;
      const a = this.areas.find(addr);
      if (a === null) return void out.push(`pid ${this.pid}: page 0x${addr.toString(16)} present outside every area`);
      if ((pte & (PROT_R | PROT_W | PROT_X)) & ~a.prot) out.push(`pid ${this.pid}: page 0x${addr.toString(16)} has permissions beyond its area`);
      if (((pte & PTE_S) !== 0) !== a.shared) out.push(`pid ${this.pid}: page 0x${addr.toString(16)} shared bit disagrees with its area`);
      if ((pte & PROT_W) !== 0 && (pte & PTE_C) !== 0) out.push(`pid ${this.pid}: page 0x${addr.toString(16)} is both writable and COW`);
      const f = pteFrame(pte);
      if (f >= this.phys.frames || this.phys.refs[f] <= 0) out.push(`pid ${this.pid}: page 0x${addr.toString(16)} maps a free or bad frame ${f}`);
      if (!a.shared && (pte & PROT_W) !== 0 && this.phys.refs[f] !== 1) out.push(`pid ${this.pid}: private writable page 0x${addr.toString(16)} maps frame ${f} with ${this.phys.refs[f]} references`);
    });
    for (const [page, delta, write] of [[this.rPage, this.rDelta, false], [this.wPage, this.wDelta, true]] as const) {
      if (page === -1) continue;
      const v = (page >>> 0) >>> this.shift;
      const pte = this.pt.get(v);
      if ((pte & PTE_P) === 0 || pteFrame(pte) * this.pageSize !== (page >>> 0) + delta) out.push(`pid ${this.pid}: stale L0 TLB entry for page 0x${(page >>> 0).toString(16)}`);
      else if (write && (pte & PROT_W) === 0) out.push(`pid ${this.pid}: L0 TLB allows writes to read-only page 0x${(page >>> 0).toString(16)}`);
    }
    for (let i = 0; i <= this.tlbMask; i++) {
      const v = this.tlbW[i] >= 0 ? this.tlbW[i] : this.tlbR[i];
      if (v < 0) continue;
      const pte = this.pt.get(v);
      if ((pte & PTE_P) === 0 || pteFrame(pte) * this.pageSize !== this.tlbBase[i]) out.push(`pid ${this.pid}: stale TLB entry for page 0x${(v * this.pageSize).toString(16)}`);
      else if (this.tlbW[i] === v && (pte & PROT_W) === 0) out.push(`pid ${this.pid}: TLB allows writes to read-only page 0x${(v * this.pageSize).toString(16)}`);
    }
    return out;
  }
}

function deniedReason(access: number): SegvReason {
  return access === PROT_W ? 'write-denied' : access === PROT_X ? 'exec-denied' : 'read-denied';
}
