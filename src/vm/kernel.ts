/**
 * kernel.ts — what all processes of one machine share: physical memory, objects, the event log, global counters, the layout.
 * Exports `Kernel`, `FaultCounters`, `Layout`.
 */
import type { PhysicalMemory } from './physical-memory.js';
import type { EventLog } from './event-log.js';
import type { MemoryObject } from './memory-object.js';

/** Fault and paging counters (kept per process and for the whole machine). */
export class FaultCounters {
  /** Faults resolved without reading an object's backing bytes: demand-zero, cached object pages, COW faults. */
  minorFaults = 0;
  /** Faults that read a page of an object from its backing bytes into a frame. */
  majorFaults = 0;
  /** Write faults on copy-on-write pages (each is also a minor fault). */
  cowFaults = 0;
  /** Frames copied to break sharing (COW faults on shared frames, first writes to private object pages). */
  cowCopies = 0;
  /** COW faults resolved by re-enabling writes because the frame had no other user. */
  cowReuses = 0;
  /** Accesses refused with a SegmentationFault. */
  segfaults = 0;
  /** Loads/stores that missed the software TLB (page walks). */
  tlbMisses = 0;
  /** Heap pages written back from a heap view (see HeapMemory). */
  writebacks = 0;
  /** Processes forked. */
  forks = 0;

  /** A plain copy of the counters. */
  snapshot(): FaultCounterValues {
    return {
      minorFaults: this.minorFaults, majorFaults: this.majorFaults, cowFaults: this.cowFaults, cowCopies: this.cowCopies,
      cowReuses: this.cowReuses, segfaults: this.segfaults, tlbMisses: this.tlbMisses, writebacks: this.writebacks, forks: this.forks,
    };
  }
}

/** The counters as plain data. */
export type FaultCounterValues = { -readonly [K in keyof Omit<FaultCounters, 'snapshot'>]: number };

/** Where things go in every address space. */
export interface Layout {
  /** First address of the brk heap (addresses below it are never mapped: NULL guard). */
  heapStart: number;
  /** Lowest address `mmap` hands out; the heap may grow up to it. */
  mmapBase: number;
  /** Address above the last mappable byte (the "kernel" lives above). */
  mmapLimit: number;
}

/** Shared state of a machine, generic in its process class so that this file imports none of them. */
export class Kernel<P extends { readonly pid: number }> {
  /** Live processes by pid. */
  readonly procs = new Map<number, P>();
  /** Named objects by name. */
  readonly objects = new Map<string, MemoryObject>();
  /** Machine-wide counters (sums over all processes, exited ones included). */
  readonly counters = new FaultCounters();
  /** Next pid to hand out. */
  nextPid = 1;
  /** Anonymous shared objects created so far (names them). */
  anonObjects = 0;

  constructor(
    readonly phys: PhysicalMemory,
    readonly events: EventLog,
    readonly layout: Layout,
    /** Entries of each process's software TLB (a power of two). */
    readonly tlbEntries: number,
  ) {}
}
