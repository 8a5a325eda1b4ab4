/**
 * machine.ts — a machine: physical memory, named objects, processes, machine-wide statistics and the event log.
 * Exports `Machine`, `createMachine`, `MachineOptions`, `MachineStats`.
 */
import { EventLog, type VmEvent } from './event-log.js';
import { InvalidArgumentError } from './errors.js';
import { Kernel, type FaultCounterValues } from './kernel.js';
import { MemoryObject } from './memory-object.js';
import { PhysicalMemory } from './physical-memory.js';
import { Process } from './process.js';

/** Options of {@link createMachine}. */
export interface MachineOptions {
  /** Physical frames (frames × pageSize bytes are reserved in one ArrayBuffer, at most 2 GiB). */
  frames: number;
  /** Bytes per page and frame: a power of two from 64 to 65536. Default 4096. */
  pageSize?: number;
  /** First heap (brk) address; page aligned, above 0. Default 64 KiB (or one page if larger). */
  heapStart?: number;
  /** Lowest mmap address; the heap grows up to it. Default 0x40000000. */
  mmapBase?: number;
  /** End of the mappable space. Default 0xC0000000 (the top quarter is the "kernel"). */
  mmapLimit?: number;
  /** Records the event ring keeps. Default 4096. */
  eventCapacity?: number;
  /** Entries of each process's direct-mapped software TLB (a power of two). Default 256. */
  tlbEntries?: number;
}

/** Machine-wide figures. */
export interface MachineStats extends FaultCounterValues {
  pageSize: number;
  /** Frames in physical memory. */
  frames: number;
  /** Frames referenced by a page table or an object's cache. */
  framesInUse: number;
  /** Frames on the free list. */
  framesFree: number;
  /** Frames mapped by two or more page-table entries. */
  framesShared: number;
  /** Most frames ever in use at once. */
  framesHighWater: number;
  /** Frames held by named and anonymous objects' caches. */
  framesCached: number;
  /** Present PTEs summed over live processes. */
  residentPages: number;
  /** Live processes. */
  processes: number;
  /** Named objects. */
  objects: number;
  /** Events logged since the start / overwritten by the ring. */
  events: number;
  eventsDropped: number;
}

function isPow2(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

/** A simulated machine with paged virtual memory. */
export class Machine {
  /** Bytes per page. */
  readonly pageSize: number;
  /** Physical frames. */
  readonly frames: number;
  /** The physical memory (frames and their counts), for inspection. */
  readonly phys: PhysicalMemory;
  private readonly k: Kernel<Process>;
  private readonly log: EventLog;

  constructor(opts: MachineOptions) {
    if (opts === null || typeof opts !== 'object') throw new InvalidArgumentError('createMachine: options { frames, pageSize } are required');
    const pageSize = opts.pageSize ?? 4096;
    if (!isPow2(pageSize) || pageSize < 64 || pageSize > 65536) throw new InvalidArgumentError(`createMachine: pageSize ${String(pageSize)} is not a power of two in [64, 65536]`);
    const frames = opts.frames;
    if (!Number.isInteger(frames) || frames < 1 || frames * pageSize > 0x8000_0000) throw new InvalidArgumentError(`createMachine: frames ${String(frames)} must be a positive integer with frames × pageSize ≤ 2 GiB`);
    const heapStart = opts.heapStart ?? Math.max(pageSize, 65536);
    const mmapBase = opts.mmapBase ?? 0x4000_0000;
    const mmapLimit = opts.mmapLimit ?? 0xc000_0000;
    for (const [name, v] of [['heapStart', heapStart], ['mmapBase', mmapBase], ['mmapLimit', mmapLimit]] as const) {
      if (!Number.isInteger(v) || v <= 0 || v % pageSize !== 0 || v > 0x1_0000_0000) throw new InvalidArgumentError(`createMachine: ${name} ${String(v)} is not a page-aligned address above 0`);
    }
    if (!(heapStart < mmapBase && mmapBase < mmapLimit)) throw new InvalidArgumentError('createMachine: need heapStart < mmapBase < mmapLimit');
    if (mmapBase % 65536 !== 0) throw new InvalidArgumentError('createMachine: mmapBase must be a multiple of 64 KiB (the heap view grows in 64 KiB steps up to it)');
    const tlbEntries = opts.tlbEntries ?? 256;
    if (!isPow2(tlbEntries) || tlbEntries > 1 << 20) throw new InvalidArgumentError(`createMachine: tlbEntries ${String(tlbEntries)} is not a power of two ≤ 2^20`);
    this.pageSize = pageSize;
    this.frames = frames;
    this.phys = new PhysicalMemory(frames, pageSize);
    this.log = new EventLog(opts.eventCapacity ?? 4096);
    this.k = new Kernel<Process>(this.phys, this.log, { heapStart, mmapBase, mmapLimit }, tlbEntries);
  }

  /** A new process with an empty address space (heap break at `heapStart`). */
  spawn(): Process {
    return new Process(this.k, 0);
  }

  /**
   * A named object standing for a file: `bytes` are its contents (a number gives that many zero bytes).
   * Its pages are read into frames on first fault and stay cached. Throws InvalidArgumentError for a
   * taken name.
   */
  createObject(name: string, bytes: Uint8Array | ArrayBuffer | ArrayBufferView | number): MemoryObject {
    if (typeof name !== 'string' || name === '' || name.startsWith('[')) throw new InvalidArgumentError(`createObject: bad name ${JSON.stringify(name)}`);
    if (this.k.objects.has(name)) throw new InvalidArgumentError(`createObject: an object named ${name} exists`);
    let data: Uint8Array | null;
    let size: number;
    if (typeof bytes === 'number') {
      if (!Number.isInteger(bytes) || bytes < 0) throw new InvalidArgumentError(`createObject: size ${bytes} is not a byte count`);
      data = null;
      size = bytes;
    } else if (bytes instanceof ArrayBuffer) {
      data = new Uint8Array(bytes.slice(0));
      size = data.length;
    } else if (ArrayBuffer.isView(bytes)) {
      data = new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      size = data.length;
    } else {
      throw new InvalidArgumentError('createObject: bytes must be a Uint8Array, an ArrayBuffer, a typed array or a size');
    }
    const o = new MemoryObject(this.phys, name, data, size, false);
    this.k.objects.set(name, o);
    return o;
  }

  /** The named object, if any. */
  object(name: string): MemoryObject | undefined {
    return this.k.objects.get(name);
  }

  /** Live processes by ascending pid. */
  processes(): Process[] {
    return [...this.k.procs.values()].sort((a, b) => a.pid - b.pid);
  }

  /** The live process with this pid. */
  process(pid: number): Process | undefined {
    return this.k.procs.get(pid);
  }

  /** Writes back every live process's heap view (see `Process.sync`). Returns pages written. */
  syncAll(): number {
    let n = 0;
    for (const p of this.processes()) n += p.sync();
    return n;
  }

  /** Events still in the ring, oldest first (`since`: keep those with `seq >= since`). */
  events(since = 0): VmEvent[] {
    return this.log.events(since);
  }

  /** Machine-wide figures: fault counters summed over all processes (exited ones too) and frame usage now. */
  stats(): MachineStats {
    let resident = 0;
    for (const p of this.k.procs.values()) resident += p.stats().residentPages;
    let cached = 0;
    for (const o of this.k.objects.values()) cached += o.residentPages();
    return {
      ...this.k.counters.snapshot(),
      pageSize: this.pageSize, frames: this.frames, framesInUse: this.phys.inUse, framesFree: this.phys.freeFrames,
      framesShared: this.phys.shared, framesHighWater: this.phys.highWater, framesCached: cached, residentPages: resident,
      processes: this.k.procs.size, objects: this.k.objects.size, events: this.log.seq, eventsDropped: this.log.dropped,
    };
  }

  /**
   * Lists violated invariants of the whole machine (empty when healthy): physical memory's own, each
   * process's, and the reference audit — every frame's `refs` equals the PTEs mapping it plus the object
   * caches holding it, and `maps` equals the PTEs. Costs O(frames + mapped pages).
   */
  check(): string[] {
    const out = [...this.phys.check()];
    const refs = new Int32Array(this.frames);
    const maps = new Int32Array(this.frames);
    const objs = new Set<MemoryObject>(this.k.objects.values());
    for (const p of this.k.procs.values()) {
      out.push(...p.check());
      p.forEachFrame((f) => {
        refs[f]++;
        maps[f]++;
      });
      for (const a of p.maps()) if (a.object !== null && a.object.startsWith('[')) objs.add(this.anonObject(p, a.start));
    }
    for (const o of objs) for (let i = 0; i < o.pages; i++) if (o.cache[i] >= 0) refs[o.cache[i]]++;
    for (let f = 0; f < this.frames; f++) {
      if (refs[f] !== this.phys.refs[f]) out.push(`frame ${f}: ${this.phys.refs[f]} references counted, ${refs[f]} found`);
      if (maps[f] !== this.phys.maps[f] && this.phys.refs[f] > 0) out.push(`frame ${f}: ${this.phys.maps[f]} mappings counted, ${maps[f]} found`);
    }
    return out;
  }

  private anonObject(p: Process, addr: number): MemoryObject {
    return p.areaObject(addr) as MemoryObject;
  }
}

/** A machine with `frames` physical frames of `pageSize` bytes. Throws InvalidArgumentError for impossible options. */
export function createMachine(opts: MachineOptions): Machine {
  return new Machine(opts);
}

