/**
 * linear-memory.ts — a growable byte store addressed by 32-bit offsets, with `sbrk`/`brk`.
 * Exports `LinearMemory`, `MemoryBacking`, `LinearMemoryOptions`, `PAGE_BYTES`.
 *
 * The store is the bottom layer of heapkit: allocators and managed heaps read and write it only
 * through the typed views below, and re-read `u8`/`u32`/... after any call that may grow it
 * (`sbrk`, `reserve`), because growth may replace the buffer.
 *
 * ```
 *   0 ........ base ................ brk ............ capacity ........ maxBytes
 *   |  not     |  the heap (in use)  |  reserved, not  |  not yet backed  |
 *   |  ours    |  metadata+blocks    |  counted        |  (growth target) |
 * ```
 *
 * Backings and how they grow:
 * | backing                          | growth                                   | old views after growth |
 * |----------------------------------|------------------------------------------|------------------------|
 * | none given (default)             | new ArrayBuffer of double size, copied   | stale (re-read `buffer`) |
 * | ArrayBuffer, resizable           | `buffer.resize()` in place               | still valid if length-tracking |
 * | ArrayBuffer, fixed               | cannot grow: `maxBytes = byteLength`     | —                      |
 * | SharedArrayBuffer, growable      | `buffer.grow()` in place                 | still valid if length-tracking |
 * | SharedArrayBuffer, fixed         | cannot grow                              | —                      |
 * | WebAssembly.Memory               | `memory.grow(pages)`                     | detached (length 0)    |
 */

/** Where a linear memory's bytes live. */
export type MemoryBacking = ArrayBuffer | SharedArrayBuffer | WebAssembly.Memory;

/** The granule in which backings are grown (and the WebAssembly page size). */
export const PAGE_BYTES = 65536;

/** Largest byte count a 32-bit offset space can address (4 GiB − 1 page, so offsets stay below 2^32). */
export const MAX_MEMORY_BYTES = 0x1_0000_0000 - PAGE_BYTES;

/** Options for {@link LinearMemory}. */
export interface LinearMemoryOptions {
  /** The bytes to manage. Omitted: a private ArrayBuffer that grows by copying. */
  memory?: MemoryBacking;
  /** First byte the owner may use (e.g. above a Wasm module's data and stack). Default 0. */
  base?: number;
  /** Bytes to back at creation (from `base`). Default 64 KiB, or the whole given buffer. */
  initialBytes?: number;
  /** Highest break (exclusive end address) growth may reach. Default: the backing's limit, at most 4 GiB − 64 KiB. */
  maxBytes?: number;
}

function isWasmMemory(m: unknown): m is WebAssembly.Memory {
  return typeof WebAssembly !== 'undefined' && m instanceof WebAssembly.Memory;
}

/**
 * A growable byte store addressed by `number` offsets, with typed views and a program break.
 *
 * Invariants (checked by {@link LinearMemory.check}):
 * `base <= brk <= capacity <= maxBytes <= MAX_MEMORY_BYTES`, and every view spans `capacity` bytes of `buffer`.
 */
export class LinearMemory {
  /** The buffer behind the views now. Growth may replace it: re-read after `sbrk`. */
  buffer: ArrayBuffer | SharedArrayBuffer;
  /** Byte view of the whole buffer. */
  u8: Uint8Array;
  /** 16-bit view. */
  u16: Uint16Array;
  /** 32-bit unsigned view (word index = address >>> 2). */
  u32: Uint32Array;
  /** 32-bit signed view, for `Atomics.wait/notify`. */
  i32: Int32Array;
  /** 64-bit float view (index = address >>> 3). */
  f64: Float64Array;
  /** First byte of the managed range. */
  readonly base: number;
  /** Highest break growth may reach (exclusive end address). */
  readonly maxBytes: number;
  /** The WebAssembly memory behind the buffer, if any. */
  readonly wasm: WebAssembly.Memory | null;
  /** True when the buffer is a SharedArrayBuffer. */
  readonly shared: boolean;
  /** Times the backing was grown (not `sbrk` calls: buffer replacements or in-place growths). */
  growths = 0;
  /** Called after the buffer changed, with the memory; owners rebind cached views here. */
  onGrow: ((mem: LinearMemory) => void) | null = null;

  private _brk: number;
  /** True when the memory made its own buffer (it grows by copying into a bigger one). */
  readonly owned: boolean;

  /**
   * True when every byte at or above the break is known to be zero, so allocators formatted on this
   * memory may skip zeroing there (calloc). A memory that made its own buffer keeps it so: lowering its
   * break zeroes the bytes given back. A buffer handed in by the user may hold anything.
   */
  get zeroAboveBreak(): boolean {
    return this.owned;
  }

  constructor(opts: LinearMemoryOptions = {}) {
    const base = opts.base ?? 0;
    if (!Number.isInteger(base) || base < 0 || base > MAX_MEMORY_BYTES) throw new RangeError(`LinearMemory: base ${base} is not an offset in [0, ${MAX_MEMORY_BYTES}]`);
    const m = opts.memory;
    this.base = base;
    this.wasm = isWasmMemory(m) ? m : null;
    this.owned = m === undefined;
    let limit: number;
    let buffer: ArrayBuffer | SharedArrayBuffer;
    if (m === undefined) {
      const initial = roundUp(Math.max(base + (opts.initialBytes ?? PAGE_BYTES), PAGE_BYTES), PAGE_BYTES);
      limit = MAX_MEMORY_BYTES;
      buffer = new ArrayBuffer(Math.min(initial, opts.maxBytes !== undefined ? roundUp(Math.max(opts.maxBytes, base + 8), 8) : initial));
    } else if (this.wasm) {
      buffer = this.wasm.buffer;
      limit = MAX_MEMORY_BYTES;
    } else if (m instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && m instanceof SharedArrayBuffer)) {
      buffer = m;
      const growable = (m as ArrayBuffer).resizable === true || (m as SharedArrayBuffer).growable === true;
      limit = growable ? (m as ArrayBuffer).maxByteLength : m.byteLength;
    } else {
      throw new TypeError('LinearMemory: memory must be an ArrayBuffer, a SharedArrayBuffer or a WebAssembly.Memory');
    }
    this.maxBytes = Math.min(opts.maxBytes ?? limit, limit, MAX_MEMORY_BYTES);
    if (this.maxBytes < base) throw new RangeError(`LinearMemory: maxBytes ${this.maxBytes} is below base ${base}`);
    this.shared = typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer;
    this.buffer = buffer;
    this.u8 = this.u16 = this.u32 = this.i32 = this.f64 = undefined as never;
    this.bind();
    this._brk = base;
    if (m !== undefined && opts.initialBytes !== undefined) this.reserve(base + opts.initialBytes);
  }

  /** Current program break: the end of the range in use. */
  get brk(): number {
    return this._brk;
  }

  /** Bytes backed now (the views' length in bytes). */
  get capacity(): number {
    return this.u8.length;
  }

  /**
   * Moves the break by `delta` bytes (≥ 0) and returns the old break, or -1 when the memory cannot
   * grow that far (beyond `maxBytes`, or the backing refused). Never throws for ordinary failure.
   */
  sbrk(delta: number): number {
    const old = this._brk;
    const end = old + delta;
    if (!(delta >= 0) || end > this.maxBytes) return -1;
    if (end > this.u8.length && !this.reserve(end)) return -1;
    this._brk = end;
    return old;
  }

  /**
   * Sets the break to `addr` (between `base` and `maxBytes`). Returns false when impossible. Lowering the
   * break of a memory that promises {@link zeroAboveBreak} zeroes the bytes given back, so a heap
   * formatted there later may trust them to be zero (as a process trusts pages the kernel maps).
   */
  setBrk(addr: number): boolean {
    if (!(addr >= this.base) || addr > this.maxBytes) return false;
    if (addr > this.u8.length && !this.reserve(addr)) return false;
    if (addr < this._brk && this.zeroAboveBreak) this.u8.fill(0, addr, this._brk);
    this._brk = addr;
    return true;
  }

  /** Makes sure at least `end` bytes are backed (growing the backing, not the break). Returns false when it cannot. */
  reserve(end: number): boolean {
    if (end <= this.u8.length) return true;
    if (end > this.maxBytes) return false;
    try {
      const want = Math.min(Math.max(roundUp(end, PAGE_BYTES), this.u8.length * 2), this.maxBytes);
      if (this.wasm) {
        const pages = Math.ceil((want - this.wasm.buffer.byteLength) / PAGE_BYTES);
        const needPages = Math.ceil((end - this.wasm.buffer.byteLength) / PAGE_BYTES);
        try {
          this.wasm.grow(pages);
        } catch {
          this.wasm.grow(needPages);
        }
        this.buffer = this.wasm.buffer;
      } else if (this.owned) {
        let next: ArrayBuffer;
        try {
          next = new ArrayBuffer(want);
        } catch {
          next = new ArrayBuffer(roundUp(end, 8));
        }
        new Uint8Array(next).set(this.u8);
        this.buffer = next;
      } else if ((this.buffer as ArrayBuffer).resizable) {
        (this.buffer as ArrayBuffer).resize(want);
      } else if ((this.buffer as SharedArrayBuffer).growable) {
        // another thread may have grown it already (past `want`, too: grow() never shrinks, it throws)
        const sab = this.buffer as SharedArrayBuffer;
        if (sab.byteLength < end) {
          try {
            sab.grow(want);
          } catch (e) {
            if (sab.byteLength < end) throw e;
          }
        }
      } else {
        return false;
      }
    } catch {
      return false;
    }
    this.growths++;
    this.bind();
    if (this.onGrow !== null) this.onGrow(this);
    return true;
  }

  /** Re-reads the views from the buffer (after growth, or after another thread grew a shared buffer). */
  bind(): void {
    const b = this.buffer;
    const bytes = b.byteLength - (b.byteLength % 8); // not `& ~7`: lengths ≥ 2 GiB would turn negative
    this.u8 = new Uint8Array(b, 0, bytes);
    this.u16 = new Uint16Array(b, 0, bytes >>> 1);
    this.u32 = new Uint32Array(b, 0, bytes >>> 2);
    this.i32 = new Int32Array(b, 0, bytes >>> 2);
    this.f64 = new Float64Array(b, 0, bytes >>> 3);
  }

  /** Re-reads `buffer` from the backing when it changed elsewhere (a WebAssembly.Memory grown by Wasm code, a shared buffer grown by another worker). */
  refresh(): void {
    if (this.wasm && this.wasm.buffer !== this.buffer) this.buffer = this.wasm.buffer;
    if (this.buffer.byteLength !== this.u8.length) {
      this.bind();
      if (this.onGrow !== null) this.onGrow(this);
    }
  }

  /** Lists violated invariants of the memory itself (empty when healthy). */
  check(): string[] {
    const out: string[] = [];
    if (!(this.base <= this._brk)) out.push(`brk ${this._brk} below base ${this.base}`);
    if (!(this._brk <= this.u8.length)) out.push(`brk ${this._brk} beyond backed bytes ${this.u8.length}`);
    if (!(this._brk <= this.maxBytes)) out.push(`brk ${this._brk} beyond maxBytes ${this.maxBytes}`);
    if (this.u32.length !== this.u8.length >>> 2) out.push('views disagree in length');
    return out;
  }
}

/** Rounds `n` up to a multiple of `m` (a power of two or any positive integer), without 32-bit overflow. */
export function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}
