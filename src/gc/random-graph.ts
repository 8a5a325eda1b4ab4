/**
 * random-graph.ts — a random object-graph mutator checked against a plain JavaScript model, with a
 * reachability checksum compared before and after every collection. Exports `runRandomGraph`,
 * `graphChecksum`, `RandomGraphOptions`, `RandomGraphResult`.
 *
 * The mutator allocates records (3 refs + 8 raw bytes), ref arrays and byte arrays (some large enough
 * for the large-object space), links them into a shared, cyclic graph through root slots and fields
 * (every store through the write barrier), drops links and roots, and rewrites raw data. The model
 * mirrors every step. The checksum is address-independent: a breadth-first walk from the root slots in
 * order numbers objects at first sight and hashes, per object, its type, length, raw content and the
 * numbers of the objects its fields point at. So equal checksums mean equal reachable graphs (up to a
 * hash collision): nothing live lost or corrupted. After a full collection the heap's used bytes must equal
 * the model's reachable bytes: nothing dead resurrected or retained.
 */
import type { ManagedHeap } from './heap.js';
import { arraySize, recordSize } from './object-model.js';

/** Options of the random mutator. */
export interface RandomGraphOptions {
  /** Mutation steps. Default 2000. */
  steps?: number;
  /** PRNG seed. Default 1. */
  seed?: number;
  /** Root slots used. Default 16. */
  roots?: number;
  /** Longest small array. Default 12. */
  maxArray?: number;
  /** Length of the occasional large ref array / byte array (0 = none). Default: enough for the large-object space. */
  largeLength?: number;
  /** Compare checksums at every collection (before and after). Default true. */
  checkEveryCollection?: boolean;
  /** At the end, run a full collection and require the heap's used bytes to equal the reachable bytes (only meaningful when this mutator's roots are the heap's only live data). Default true. */
  checkRetention?: boolean;
}

/** Outcome of the random mutator. */
export interface RandomGraphResult {
  checksumOk: boolean;
  /** Collections during which the checksums were compared. */
  checkedCollections: number;
  /** First mismatch, if any. */
  mismatch: string | null;
  /** Model objects reachable at the end and their bytes. */
  liveObjects: number;
  liveBytes: number;
  detail: string;
}

interface MObj {
  type: number;
  refs: (MObj | null)[];
  /** Records: 2 raw i32; byte arrays: the bytes. */
  raw: Uint8Array | Int32Array | null;
  size: number;
}

function mix(h: number, v: number): number {
  h = Math.imul(h ^ v, 0x01000193);
  return (h ^ (h >>> 15)) >>> 0;
}

/** Checksum of everything reachable from the heap's root slots [from, to). Returns hash, object count and bytes. */
export function graphChecksum(h: ManagedHeap, from = 0, to = h.sp): { hash: number; objects: number; bytes: number } {
  const index = new Map<number, number>();
  const queue: number[] = [];
  let hash = 0x811c9dc5;
  const see = (p: number): number => {
    if (p === 0) return 0;
    let i = index.get(p);
    if (i === undefined) {
      i = index.size + 1;
      index.set(p, i);
      queue.push(p);
    }
    return i;
  };
  for (let s = from; s < to; s++) hash = mix(hash, see(h.get(s)));
  let bytes = 0;
  for (let q = 0; q < queue.length; q++) {
    const p = queue[q]!;
    const t = h.typeOf(p);
    const info = h.types[t]!;
    hash = mix(hash, t);
    bytes += h.sizeOf(p);
    if (info.kind === 'record') {
      const raw = h.rawAddr(p) >>> 2;
      hash = mix(mix(hash, h.i32[raw]!), h.i32[raw + 1]!);
      for (let f = 0; f < info.refs; f++) hash = mix(hash, see(h.getRef(p, f)));
    } else if (info.kind === 'ref-array') {
      const n = h.length(p);
      hash = mix(hash, n);
      for (let f = 0; f < n; f++) hash = mix(hash, see(h.getElem(p, f)));
    } else {
      const n = h.length(p);
      hash = mix(hash, n);
      const d = h.dataAddr(p);
      for (let f = 0; f < n; f++) hash = mix(hash, h.u8[d + f]!);
    }
  }
  return { hash, objects: queue.length, bytes };
}

function modelChecksum(roots: (MObj | null)[]): { hash: number; objects: number; bytes: number } {
  const index = new Map<MObj, number>();
  const queue: MObj[] = [];
  let hash = 0x811c9dc5;
  const see = (o: MObj | null): number => {
    if (o === null) return 0;
    let i = index.get(o);
    if (i === undefined) {
      i = index.size + 1;
      index.set(o, i);
      queue.push(o);
    }
    return i;
  };
  for (const r of roots) hash = mix(hash, see(r));
  let bytes = 0;
  for (let q = 0; q < queue.length; q++) {
    const o = queue[q]!;
    hash = mix(hash, o.type);
    bytes += o.size;
    if (o.raw instanceof Int32Array) {
      hash = mix(mix(hash, o.raw[0]!), o.raw[1]!);
      for (const r of o.refs) hash = mix(hash, see(r));
    } else if (o.raw === null) {
      hash = mix(hash, o.refs.length);
      for (const r of o.refs) hash = mix(hash, see(r));
    } else {
      hash = mix(hash, o.raw.length);
      for (let f = 0; f < o.raw.length; f++) hash = mix(hash, o.raw[f]!);
    }
  }
  return { hash, objects: queue.length, bytes };
}

/** Runs the random mutator on `h` (which must be fresh or at least have free root slots). */
export function runRandomGraph(h: ManagedHeap, opts: RandomGraphOptions = {}): RandomGraphResult {
  const steps = opts.steps ?? 2000;
  const nRoots = opts.roots ?? 16;
  const maxArray = opts.maxArray ?? 12;
  const largeLength = opts.largeLength ?? Math.ceil(h.largeObjectBytes / 4);
  let seed = (opts.seed ?? 1) >>> 0 || 1;
  const rnd = (n: number): number => {
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    return seed % n;
  };
  const Node = h.defineRecord('GNode', 3, 8);
  const Vec = h.defineRefArray('GVec');
  const Blob = h.defineByteArray('GBlob');
  const base = h.sp;
  for (let i = 0; i < nRoots; i++) h.push(0);
  const model: (MObj | null)[] = new Array(nRoots).fill(null);

  let checked = 0;
  let mismatch: string | null = null;
  let expected = 0;
  const prevHook = h.onCollect;
  if (opts.checkEveryCollection !== false) {
    h.onCollect = (phase, major) => {
      if (mismatch !== null) return;
      const got = graphChecksum(h, base, base + nRoots);
      if (phase === 'before') {
        const want = modelChecksum(model);
        expected = want.hash;
        if (got.hash !== want.hash) mismatch = `before collection #${h.collections + 1}: heap checksum ${got.hash} (${got.objects} objects) != model ${want.hash} (${want.objects} objects)`;
      } else {
        checked++;
        if (got.hash !== expected) mismatch = `after collection #${h.collections} (${major ? 'major' : 'minor'}): heap checksum ${got.hash} (${got.objects} objects) != model ${expected}`;
      }
    };
  }

  // A random reachable object: from a random non-null root, a short random walk (heap and model in step).
  const pick = (): { p: number; o: MObj } | null => {
    const start = rnd(nRoots);
    let o: MObj | null = model[start] ?? null;
    if (o === null) return null;
    let p = h.get(base + start);
    const hops = rnd(12);
    for (let i = 0; i < hops; i++) {
      if (o.refs.length === 0) break;
      const f = rnd(o.refs.length);
      const next: MObj | null = o.refs[f] ?? null;
      if (next === null) break;
      p = o.raw === null ? h.getElem(p, f) : h.getRef(p, f);
      o = next;
    }
    return { p, o };
  };
  // Stores (p, o) somewhere: a root slot, or a ref field of a random reachable object.
  const place = (p: number, o: MObj): void => {
    let t = rnd(200) === 0 ? null : pick();
    for (let k = 0; k < 3 && t !== null && t.o.refs.length === 0; k++) t = pick();
    if (t === null || t.o.refs.length === 0) {
      // Into an empty root slot when there is one (rarely over a used one); else the object is garbage at once.
      const empty = model.indexOf(null);
      const s = empty >= 0 ? empty : rnd(50) === 0 ? rnd(nRoots) : -1;
      if (s < 0) return;
      h.set(base + s, p);
      model[s] = o;
      return;
    }
    // Prefer an empty field, so the graph grows until links are cut on purpose.
    let f = rnd(t.o.refs.length);
    for (let k = 0; k < t.o.refs.length && t.o.refs[f] !== null; k++) f = (f + 1) % t.o.refs.length;
    if (t.o.raw === null) h.setElem(t.p, f, p);
    else h.setRef(t.p, f, p);
    t.o.refs[f] = o;
  };

  for (let step = 0; step < steps && mismatch === null; step++) {
    const op = rnd(100);
    if (op < 50) {
      const p = h.alloc(Node);
      const a = rnd(1 << 30);
      const b = step;
      h.setI32(p, 0, a);
      h.setI32(p, 4, b);
      place(p, { type: Node, refs: [null, null, null], raw: Int32Array.of(a, b), size: recordSize(3, 8) });
    } else if (op < 58) {
      const n = rnd(40) === 0 && largeLength > 0 ? largeLength : rnd(maxArray + 1);
      const p = h.allocArray(Vec, n);
      place(p, { type: Vec, refs: new Array(n).fill(null), raw: null, size: arraySize(2, n) });
    } else if (op < 64) {
      const n = rnd(40) === 0 && largeLength > 0 ? largeLength * 4 : rnd(4 * maxArray + 1);
      const p = h.allocArray(Blob, n);
      const bytes = new Uint8Array(n);
      const d = h.dataAddr(p);
      for (let i = 0; i < n; i += 1 + rnd(7)) {
        bytes[i] = rnd(256);
        h.u8[d + i] = bytes[i]!;
      }
      place(p, { type: Blob, refs: [], raw: bytes, size: arraySize(3, n) });
    } else if (op < 72) {
      if (rnd(3) !== 0) continue;
      // Link two reachable objects (sharing, cycles), or clear a link.
      const a = pick();
      if (a === null || a.o.refs.length === 0) continue;
      const b = rnd(10) === 0 ? null : pick();
      const f = rnd(a.o.refs.length);
      if (a.o.raw === null) h.setElem(a.p, f, b === null ? 0 : b.p);
      else h.setRef(a.p, f, b === null ? 0 : b.p);
      a.o.refs[f] = b === null ? null : b.o;
    } else if (op < 74) {
      if (rnd(4) !== 0) continue;
      const s = rnd(nRoots);
      h.set(base + s, 0);
      model[s] = null;
    } else if (op < 93) {
      const a = pick();
      if (a === null) continue;
      if (a.o.raw instanceof Int32Array) {
        const v = rnd(1 << 30);
        h.setI32(a.p, 0, v);
        a.o.raw[0] = v;
      } else if (a.o.raw !== null && a.o.raw.length > 0) {
        const i = rnd(a.o.raw.length);
        const v = rnd(256);
        h.u8[h.dataAddr(a.p) + i] = v;
        a.o.raw[i] = v;
      }
    } else if (op < 95) {
      // Move a root into another slot (duplicated roots).
      const s = rnd(nRoots);
      const d = rnd(nRoots);
      h.set(base + d, h.get(base + s));
      model[d] = model[s] ?? null;
    } else if (op < 99) {
      // Byte-array churn: short-lived garbage that is never linked.
      h.allocArray(Blob, rnd(64));
    } else {
      h.collectNow(rnd(2) === 0);
    }
  }

  const fin = modelChecksum(model);
  const got = graphChecksum(h, base, base + nRoots);
  if (mismatch === null && got.hash !== fin.hash) mismatch = `at the end: heap checksum ${got.hash} (${got.objects} objects) != model ${fin.hash} (${fin.objects} objects)`;
  if (mismatch === null && opts.checkRetention !== false) {
    // Nothing dead retained: after a full collection the spaces hold exactly what is reachable.
    h.collect();
    const all = graphChecksum(h, 0, base + nRoots);
    const used = h.stats().usedBytes;
    if (used !== all.bytes) mismatch = `after a full collection the heap holds ${used} bytes but only ${all.bytes} are reachable (${all.objects} objects)`;
  }
  h.onCollect = prevHook;
  h.popTo(base);
  return {
    checksumOk: mismatch === null,
    checkedCollections: checked,
    mismatch,
    liveObjects: fin.objects,
    liveBytes: fin.bytes,
    detail: mismatch ?? `${steps} steps, ${checked} collections checked, ${fin.objects} objects (${fin.bytes} bytes) reachable at the end`,
  };
}
