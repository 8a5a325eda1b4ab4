/**
 * memory-object.ts — memory objects: named objects standing for files (their backing bytes plus a page cache of frames)
 * and anonymous shared objects (what `mmap(shared)` without an object maps). Exports `MemoryObject`.
 *
 * A page of an object is read into a frame on the first fault that needs it (a major fault: "I/O"
 * from the backing bytes) and stays cached: the object holds one reference on each cached frame, so
 * every process mapping the object shared sees the same frame — writes through a shared mapping are
 * seen by all; a private mapping maps the cached frame copy-on-write.
 * ```
 *   object "libc.so"   data:  [ backing bytes ............................ ]
 *                      cache: [ frame 7 | -1 (not read yet) | frame 12 | ... ]   one slot per page
 * ```
 * Named objects live as long as the machine (a file's page cache is never evicted here); anonymous
 * objects die, releasing their frames, when their last mapping goes (`mappings` counts areas).
 */
import type { PhysicalMemory } from './physical-memory.js';
import { OutOfFramesError } from './errors.js';

/** A file-like object several processes can map. Created by `machine.createObject(name, bytes)`. */
export class MemoryObject {
  /** The object's name (`''`... for anonymous shared memory: `[anon:N]`). */
  readonly name: string;
  /** Size in bytes (mappable up to the page boundary above it). */
  readonly size: number;
  /** Pages of the object: ceil(size / pageSize). */
  readonly pages: number;
  /** True for the anonymous object behind a shared anonymous mapping. */
  readonly anonymous: boolean;
  /** Areas (in all processes) that map this object. */
  mappings = 0;
  /** Frame caching each page, or -1. */
  readonly cache: Int32Array;
  /** Pages read from the backing bytes so far (major faults served). */
  pageIns = 0;
  private readonly data: Uint8Array | null;
  private readonly phys: PhysicalMemory;

  /** @internal — use `machine.createObject`. */
  constructor(phys: PhysicalMemory, name: string, data: Uint8Array | null, size: number, anonymous: boolean) {
    this.phys = phys;
    this.name = name;
    this.data = data;
    this.size = size;
    this.pages = Math.ceil(size / phys.pageSize);
    this.anonymous = anonymous;
    this.cache = new Int32Array(this.pages).fill(-1);
  }

  /** True when page `i` is in the cache (a fault on it is minor). */
  cached(i: number): boolean {
    return this.cache[i] >= 0;
  }

  /**
   * The frame holding page `i`, reading it from the backing bytes into a fresh frame (zeros past the
   * end of the data) when it is not cached. Throws OutOfFramesError (nothing changed) when no frame is free.
   */
  page(i: number, address: number): number {
    let f = this.cache[i];
    if (f >= 0) return f;
    f = this.phys.allocZeroed();
    if (f < 0) throw new OutOfFramesError(`out of physical frames reading page ${i} of object ${this.name}`, address);
    const ps = this.phys.pageSize;
    if (this.data !== null) {
      const from = i * ps;
      const to = Math.min(this.data.length, from + ps);
      if (to > from) this.phys.u8.set(this.data.subarray(from, to), f * ps);
    }
    this.phys.ref(f);
    this.cache[i] = f;
    this.pageIns++;
    return f;
  }

  /** The object's current bytes: cached pages as they are now (shared writes included), the rest from the backing bytes. */
  read(): Uint8Array {
    const ps = this.phys.pageSize;
    const out = new Uint8Array(this.size);
    if (this.data !== null) out.set(this.data.subarray(0, this.size));
    for (let i = 0; i < this.pages; i++) {
      const f = this.cache[i];
      if (f < 0) continue;
      const n = Math.min(ps, this.size - i * ps);
      out.set(this.phys.u8.subarray(f * ps, f * ps + n), i * ps);
    }
    return out;
  }

  /** Frames cached now. */
  residentPages(): number {
    let n = 0;
    for (let i = 0; i < this.pages; i++) if (this.cache[i] >= 0) n++;
    return n;
  }

  /** Drops every cached frame (anonymous objects, when their last mapping goes). Returns frames freed. */
  release(): number {
    let freed = 0;
    for (let i = 0; i < this.pages; i++) {
      const f = this.cache[i];
      if (f >= 0) {
        if (this.phys.unref(f)) freed++;
        this.cache[i] = -1;
      }
    }
    return freed;
  }
}
