/**
 * create.ts — the public way to get a heap: `createHeap`, `attachHeap`, `allocatorNames`, `describeAllocator`.
 * Dispatches to the allocator families by preset name (create) or by the magic word at the heap's base (attach).
 */
import type { Allocator } from './allocator.js';
import { BlockHeap } from './block-heap.js';
import { HeapCorruptionError, hex } from './errors.js';
import type { HeapOptions } from './options.js';
import { DEFAULT_ALLOCATOR, PRESETS, resolveConfig } from './presets.js';
import { LinearMemory, MAX_MEMORY_BYTES, type MemoryBacking } from '../memory/linear-memory.js';
import { fastAllocatorFamily } from './fast/index.js';
import { sharedAllocatorFamily } from './shared/index.js';
import { offsetAllocatorFamily } from './offset/offset-heap.js';

/** A family of allocators with its own layout (the boundary-tag engine is built in; others register). */
export interface AllocatorFamily {
  /** Magic word the family writes at the heap's base. */
  magic: number;
  /** Preset names this family answers to, with their descriptions. */
  presets: Record<string, string>;
  /** True when the family only works over a SharedArrayBuffer (createHeap then makes a growable one when none is given). */
  needsShared?: boolean;
  /** False when the family keeps its state outside the memory (the offset heap), so `attachHeap` cannot re-open its heaps. Default true. */
  attachable?: boolean;
  create(memory: LinearMemory, name: string, align: 8 | 16): Allocator;
  attach(memory: LinearMemory): Allocator;
}

const families: AllocatorFamily[] = [];
/** Largest size of the growable SharedArrayBuffer createHeap makes for a shared-only family (address space only until used). */
const DEFAULT_SHARED_MAX = 1 << 30;
let defaultName = DEFAULT_ALLOCATOR;

/** Adds an allocator family (used by the fast and shared allocators). Its presets join `allocatorNames`. */
export function registerAllocatorFamily(family: AllocatorFamily, opts: { makeDefault?: string } = {}): void {
  families.push(family);
  for (const name of Object.keys(family.presets)) if (!allocatorNames.includes(name)) allocatorNames.push(name);
  if (opts.makeDefault !== undefined) defaultName = opts.makeDefault;
}

/** Names of every preset allocator, the lectures' designs first. */
export const allocatorNames: string[] = Object.keys(PRESETS);

registerAllocatorFamily(fastAllocatorFamily);
registerAllocatorFamily({ ...sharedAllocatorFamily, needsShared: true });
// Out-of-band: no magic word in the buffer (attachHeap never finds one); see offset/offset-heap.ts.
registerAllocatorFamily(offsetAllocatorFamily);

/** True when the named allocator only works over a SharedArrayBuffer (it cannot run on a private ArrayBuffer or a VM heap view). */
export function allocatorNeedsSharedMemory(name: string): boolean {
  return families.some((f) => f.needsShared === true && f.presets[name] !== undefined);
}

/** False for an allocator whose heaps `attachHeap` cannot re-open (its state is not in the memory: `'offset'`); true otherwise. */
export function allocatorCanAttach(name: string): boolean {
  return !families.some((f) => f.attachable === false && f.presets[name] !== undefined);
}

/** The name `createHeap()` uses when no allocator is given. */
export function defaultAllocatorName(): string {
  return defaultName;
}

/** One line describing a preset, or undefined for an unknown name. */
export function describeAllocator(name: string): string | undefined {
  if (PRESETS[name]) return PRESETS[name].description;
  for (const f of families) if (f.presets[name] !== undefined) return f.presets[name];
  return undefined;
}

/** Options of `attachHeap` beyond the memory. */
export interface AttachOptions {
  /** Where the heap starts in the memory (as given to `createHeap`). Default 0. */
  base?: number;
  /** Highest address the re-opened heap may grow to. */
  maxBytes?: number;
}

function toMemory(opts: { memory?: MemoryBacking | LinearMemory; base?: number; initialBytes?: number; maxBytes?: number }): LinearMemory {
  if (opts.memory instanceof LinearMemory) return opts.memory;
  return new LinearMemory({ memory: opts.memory, base: opts.base ?? 0, initialBytes: opts.initialBytes, maxBytes: opts.maxBytes });
}

/**
 * Creates (formats) a new heap. `allocator` is a preset name (see `allocatorNames`) or a config object;
 * `memory` may be an ArrayBuffer, SharedArrayBuffer, WebAssembly.Memory, or a ready `LinearMemory`.
 * Throws `RangeError` for an unknown preset or an impossible configuration.
 */
export function createHeap(opts: Omit<HeapOptions, 'memory'> & { memory?: MemoryBacking | LinearMemory } = {}): Allocator {
  const align = opts.align ?? 16;
  if (align !== 8 && align !== 16) throw new RangeError(`align must be 8 or 16, not ${String(align)}`);
  const a = opts.allocator ?? defaultName;
  if (typeof a === 'string') {
    const preset = PRESETS[a];
    if (preset) return BlockHeap.format(toMemory(opts), resolveConfig(preset.config, align), a, preset.id);
    for (const f of families) {
      if (f.presets[a] === undefined) continue;
      if (f.needsShared && opts.memory === undefined) {
        const max = Math.min(opts.maxBytes ?? DEFAULT_SHARED_MAX, MAX_MEMORY_BYTES);
        const initial = Math.min(Math.max(opts.initialBytes ?? 1 << 20, 1 << 16), max);
        return f.create(toMemory({ ...opts, memory: new SharedArrayBuffer(initial, { maxByteLength: max }) }), a, align);
      }
      return f.create(toMemory(opts), a, align);
    }
    throw new RangeError(`unknown allocator '${a}'; known: ${allocatorNames.join(', ')}`);
  }
  return BlockHeap.format(toMemory(opts), resolveConfig(a, align), 'custom', 0);
}

/**
 * Re-opens a heap whose state lives in `memory` (saved and restored, or handed to a worker).
 * Reads the magic word at `base` to find the allocator; throws `HeapCorruptionError` when there is no heap.
 */
export function attachHeap(memory: MemoryBacking | LinearMemory, opts: AttachOptions = {}): Allocator {
  const mem = memory instanceof LinearMemory ? memory : new LinearMemory({ memory, base: opts.base ?? 0, maxBytes: opts.maxBytes });
  const found = BlockHeap.readConfig(mem);
  if (found !== null) {
    const name = Object.keys(PRESETS).find((k) => PRESETS[k].id === found.presetId) ?? 'custom';
    return BlockHeap.attach(mem, name);
  }
  const magic = mem.u32.length > mem.base >>> 2 ? mem.u32[mem.base >>> 2] : 0;
  for (const f of families) if (f.magic === magic) return f.attach(mem);
  const outOfBand = allocatorNames.filter((n) => !allocatorCanAttach(n));
  const note = outOfBand.length > 0 ? `; heaps of ${outOfBand.join(', ')} keep their state outside the memory and cannot be re-opened` : '';
  throw new HeapCorruptionError(`no heapkit heap at ${hex(mem.base)} (magic word ${hex(magic)})${note}`, mem.base);
}
