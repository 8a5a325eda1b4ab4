/**
 * gc-scenario.ts — the collector view's script and frames: a small random object graph (a few dozen 2-field
 * records) built, cut and collected three times on a real managed heap, and each collection shown step by step.
 * DOM-free (tests replay it). Exports `gcScript`, `applyGcOps`, `buildGcFrames`, `heapObjects`, `reachableIds`,
 * `GcOp`, `GcFrame`, `GcObj`, `GcRun`, `GC_HEAP_OPTIONS`.
 *
 * What is real and what is replayed. Every mutator frame and every "after collection" frame is a snapshot of the
 * library's heap (objects found by walking its spaces with `forEachObject`, ids read from each object's raw data,
 * addresses, spaces, ages and the remembered-set bit read from headers with the object-model constants). The
 * collector runs in one call (`collect()` / `collectMinor()`), and the core exposes no per-step hook, so the
 * steps *inside* a collection are replayed from the snapshot taken just before it: tri-colour marking with the
 * same LIFO mark stack as `markHeap` (roots pushed in slot order), the sweep in address order, Cheney's copy in
 * breadth-first order with forwarding pointers, the compaction's forwarding addresses. The destinations shown
 * (where each survivor went: address, space, promoted or not) are the real ones from the snapshot taken after
 * the collection, and the replayed survivors are checked against the real ones (`mismatch` says when they differ).
 */
import { createManagedHeap, forEachObject, objectModel, type ManagedHeap, type ManagedHeapOptions } from '../gc/index.js';

/** Heap options of the scenario: small spaces so the drawing shows them at a readable scale. */
export const GC_HEAP_OPTIONS: Partial<ManagedHeapOptions> = {
  maxBytes: 1 << 20,
  initialBytes: 64 * 1024,
  nurseryBytes: 64 * 1024,
  survivorBytes: 16 * 1024,
  promoteAge: 2,
  losBytes: 64 * 1024,
  rootSlots: 64,
  maxTypes: 8,
  markStackEntries: 256,
};

/** Root slots the script uses. */
export const GC_ROOTS = 4;

/** One mutator operation on logical object ids (1, 2, ...); the id lives in the object's raw data. */
export type GcOp =
  | { op: 'alloc'; id: number; from: number; field: number } // from = parent id, or −(slot + 1) for a root slot
  | { op: 'link'; from: number; field: number; to: number } // to = 0 clears the field
  | { op: 'collect'; full: boolean };

/** A frame's group of ops, with its caption. */
interface Batch {
  ops: GcOp[];
  title: string;
  text: string;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/**
 * The script: three rounds of (allocate, cross-link, cut, collect). The last collection is full; the first two are
 * minor for generational collectors (a full one elsewhere). Deterministic for a seed.
 */
export function gcScript(seed = 7): Batch[] {
  const r = rng(seed);
  const fields = new Map<number, number[]>(); // id → [ref0, ref1]
  const roots = new Array<number>(GC_ROOTS).fill(0);
  let next = 1;
  const batches: Batch[] = [];
  const reach = (): number[] => {
    const seen = new Set<number>();
    const q = roots.filter((x) => x !== 0);
    for (const x of q) seen.add(x);
    for (let i = 0; i < q.length; i++) for (const c of fields.get(q[i]!)!) if (c !== 0 && !seen.has(c)) (seen.add(c), q.push(c));
    return [...seen].sort((a, b) => a - b);
  };
  const alloc = (n: number): GcOp[] => {
    const ops: GcOp[] = [];
    for (let k = 0; k < n; k++) {
      const id = next++;
      const live = reach();
      const emptyRoot = roots.indexOf(0);
      let from: number;
      let field: number;
      const free = live.filter((x) => fields.get(x)!.includes(0));
      if (emptyRoot >= 0 && (live.length === 0 || r() < 0.25)) {
        from = -(emptyRoot + 1);
        field = 0;
        roots[emptyRoot] = id;
      } else if (free.length > 0) {
        from = free[Math.floor(r() * free.length)]!;
        field = fields.get(from)![0] === 0 ? 0 : 1;
        fields.get(from)![field] = id;
      } else {
        from = live[Math.floor(r() * live.length)]!;
        field = Math.floor(r() * 2);
        fields.get(from)![field] = id;
      }
      fields.set(id, [0, 0]);
      ops.push({ op: 'alloc', id, from, field });
    }
    return ops;
  };
  const cross = (n: number): GcOp[] => {
    const ops: GcOp[] = [];
    for (let k = 0; k < n; k++) {
      const live = reach();
      const from = live[Math.floor(r() * live.length)]!;
      const to = live[Math.floor(r() * live.length)]!;
      const field = fields.get(from)![0] === 0 ? 0 : fields.get(from)![1] === 0 ? 1 : Math.floor(r() * 2);
      fields.get(from)![field] = to;
      ops.push({ op: 'link', from, field, to });
    }
    return ops;
  };
  const cut = (n: number): GcOp[] => {
    const ops: GcOp[] = [];
    for (let k = 0; k < n; k++) {
      const live = reach().filter((x) => fields.get(x)!.some((c) => c !== 0));
      if (live.length === 0) break;
      const from = live[Math.floor(r() * live.length)]!;
      const fs = fields.get(from)!;
      const field = fs[0] !== 0 && (fs[1] === 0 || r() < 0.5) ? 0 : 1;
      fs[field] = 0;
      ops.push({ op: 'link', from, field, to: 0 });
    }
    return ops;
  };
  const round = (n: number, links: number, cuts: number, full: boolean, no: number): void => {
    const first = next;
    const a = alloc(n);
    const half = Math.ceil(a.length / 2);
    batches.push({ ops: a.slice(0, half), title: `allocate objects ${first}–${first + half - 1}`, text: 'Each new record (2 reference fields + 8 raw bytes holding its id) is linked from a root slot or a live object, through the write barrier.' });
    batches.push({ ops: a.slice(half), title: `allocate objects ${first + half}–${next - 1}`, text: 'Allocation bumps a pointer (copying collectors) or asks a free-list allocator (mark-sweep).' });
    batches.push({ ops: cross(links), title: `${links} cross links`, text: 'Extra references make the graph shared and cyclic: tracing must visit each object once.' });
    batches.push({ ops: cut(cuts), title: `cut ${cuts} references`, text: 'Cutting edges leaves whole subgraphs (cycles too) unreachable: garbage the collector will find by tracing, not by counting.' });
    batches.push({ ops: [{ op: 'collect', full }], title: `collection #${no} (${full ? 'full' : 'minor where generational'})`, text: '' });
  };
  round(22, 3, 3, false, 1);
  round(12, 2, 3, false, 2);
  round(8, 2, 3, true, 3);
  return batches;
}

/** Declares the scenario's record type on `heap` and pushes its root slots; returns the type id. */
function prepare(heap: ManagedHeap): number {
  const t = heap.defineRecord('Node', 2, 8);
  for (let i = 0; i < GC_ROOTS; i++) heap.push(0);
  return t;
}

/** Address of each id now (rebuilt after collections, which move objects). */
function addressesById(heap: ManagedHeap): Map<number, number> {
  const out = new Map<number, number>();
  for (const o of heapObjects(heap)) out.set(o.id, o.addr);
  return out;
}

/** Applies one op to `heap` (whose object addresses by id are in `addr`, kept current). */
function applyOp(heap: ManagedHeap, type: number, addr: Map<number, number>, o: GcOp): void {
  if (o.op === 'collect') {
    if (o.full) heap.collect();
    else heap.collectMinor();
    const fresh = addressesById(heap);
    addr.clear();
    for (const [k, v] of fresh) addr.set(k, v);
    return;
  }
  if (o.op === 'alloc') {
    const before = heap.collections;
    const p = heap.alloc(type);
    if (heap.collections !== before) {
      // an allocation-triggered collection moved things: re-read addresses (p itself is fresh)
      const fresh = addressesById(heap);
      addr.clear();
      for (const [k, v] of fresh) addr.set(k, v);
    }
    heap.setI32(p, 0, o.id);
    addr.set(o.id, p);
    if (o.from < 0) heap.set(-o.from - 1, p);
    else heap.setRef(addr.get(o.from)!, o.field, p);
    return;
  }
  heap.setRef(addr.get(o.from)!, o.field, o.to === 0 ? 0 : addr.get(o.to)!);
}

/** A fresh heap of `collector` with the first `n` ops of `script` applied (what the tests compare drawings with). */
export function applyGcOps(collector: string, n: number, script = gcScript()): ManagedHeap {
  const heap = createManagedHeap({ ...GC_HEAP_OPTIONS, collector });
  const type = prepare(heap);
  const addr = new Map<number, number>();
  const ops = script.flatMap((b) => b.ops);
  for (let i = 0; i < n && i < ops.length; i++) applyOp(heap, type, addr, ops[i]!);
  return heap;
}

/** An object as drawn. */
export interface GcObj {
  id: number;
  addr: number;
  size: number;
  space: string;
  /** Referents by id (0 = null), in field order. */
  refs: number[];
  /** Minor collections survived (header age bits). */
  age: number;
  /** In the remembered set (header L bit). */
  logged: boolean;
  color: 'white' | 'grey' | 'black';
  /** Copying: this is the old copy, forwarded to `fwd` (address of the new copy). */
  fwd?: number;
  /** Sweeping: freed in this collection. */
  freed?: boolean;
  /** Compaction: the address it will slide to. */
  dest?: number;
}

/** Every object in the heap's spaces now (evacuated spaces skipped), in address order. */
export function heapObjects(heap: ManagedHeap): GcObj[] {
  const raw: { addr: number; space: string }[] = [];
  for (const s of heap.spaces) {
    if (s.evacuated) continue;
    forEachObject(heap, s, (p) => raw.push({ addr: p, space: s.name }));
  }
  const idAt = new Map(raw.map((o) => [o.addr, heap.getI32(o.addr, 0)]));
  const u32 = heap.u32;
  return raw
    .map((o) => {
      const h = u32[o.addr >>> 2]!;
      return {
        id: idAt.get(o.addr)!,
        addr: o.addr,
        size: heap.sizeOf(o.addr),
        space: o.space,
        refs: [0, 1].map((i) => {
          const q = heap.getRef(o.addr, i);
          return q === 0 ? 0 : (idAt.get(q) ?? -1);
        }),
        age: (h & objectModel.AGE_MASK) >>> objectModel.AGE_SHIFT,
        logged: (h & objectModel.LOGGED) !== 0,
        color: 'white' as const,
      };
    })
    .sort((a, b) => a.addr - b.addr);
}

/** Ids reachable from the heap's root slots, by a plain traversal through `getRef`. */
export function reachableIds(heap: ManagedHeap): Set<number> {
  const seen = new Set<number>();
  const q: number[] = [];
  for (let s = 0; s < heap.sp; s++) {
    const p = heap.get(s);
    if (p !== 0 && !seen.has(p)) (seen.add(p), q.push(p));
  }
  for (let i = 0; i < q.length; i++) {
    for (let f = 0; f < 2; f++) {
      const c = heap.getRef(q[i]!, f);
      if (c !== 0 && !seen.has(c)) (seen.add(c), q.push(c));
    }
  }
  return new Set(q.map((p) => heap.getI32(p, 0)));
}

/** One step of the view. */
export interface GcFrame {
  /** Ops of the script applied to the real heap at this frame. */
  ops: number;
  /** `mutator` and `after` frames are snapshots of the real heap; the others are replayed steps inside a collection. */
  phase: 'mutator' | 'mark' | 'sweep' | 'copy' | 'compact' | 'after';
  title: string;
  text: string;
  objects: GcObj[];
  /** Root slots by id (0 = empty). */
  roots: number[];
  /** Which round (1–3): the graph layout is fixed per round. */
  round: number;
  /** Ids on the mark stack (marking) or between scan and copy pointers (Cheney), bottom first. */
  worklist?: number[];
  /** The object being scanned or swept at this step. */
  focus?: number;
  /** Pauses measured so far (ms) with their kind. */
  pauses: { ms: number; major: boolean; atBytes: number }[];
  /** Figures of heap.stats() (real frames only). */
  stats?: { collections: number; usedBytes: number; bytesCopied: number; bytesPromoted: number; bytesFreed: number; totalPauseMs: number };
}

/** A collector's whole run as frames. */
export interface GcRun {
  collector: string;
  description: string;
  movesObjects: boolean;
  generational: boolean;
  /** Spaces with their ranges and the window drawn, [from, from + extent) (the large-object space excluded when empty). */
  spaces: { name: string; start: number; end: number; from: number; extent: number }[];
  frames: GcFrame[];
  /** Differences between the replayed steps and the real collection (empty when they agree). */
  mismatch: string[];
}

const clone = (os: GcObj[]): GcObj[] => os.map((o) => ({ ...o, refs: [...o.refs] }));

/** Replays marking as `markHeap` does it (roots greyed in slot order, LIFO stack); one frame per scanned object. */
function markFrames(before: GcObj[], roots: number[], base: Omit<GcFrame, 'objects' | 'phase' | 'title' | 'text'>, only?: Set<string>): { frames: GcFrame[]; black: Set<number> } {
  const objs = clone(before);
  const byId = new Map(objs.map((o) => [o.id, o]));
  const stack: number[] = [];
  const frames: GcFrame[] = [];
  const traced = (o: GcObj | undefined): o is GcObj => o !== undefined && (only === undefined || only.has(o.space));
  for (const r of roots) {
    const o = byId.get(r);
    if (traced(o) && o.color === 'white') {
      o.color = 'grey';
      stack.push(r);
    }
  }
  frames.push({ ...base, phase: 'mark', title: 'mark: grey the roots', text: 'Every object a root slot points at turns grey and goes on the mark stack. White = not yet seen, grey = seen but not scanned, black = scanned.', objects: clone(objs), worklist: [...stack] });
  while (stack.length > 0) {
    const id = stack.pop()!;
    const o = byId.get(id)!;
    o.color = 'black';
    const pushed: number[] = [];
    for (const c of o.refs) {
      const q = byId.get(c);
      if (traced(q) && q.color === 'white') {
        q.color = 'grey';
        stack.push(c);
        pushed.push(c);
      }
    }
    frames.push({
      ...base,
      phase: 'mark',
      title: `mark: scan #${id}`,
      text: `Pop #${id} from the mark stack and blacken it; ${pushed.length ? `its white referents ${pushed.map((x) => '#' + x).join(', ')} turn grey and are pushed` : 'it has no white referents'}.`,
      objects: clone(objs),
      worklist: [...stack],
      focus: id,
    });
  }
  const black = new Set(objs.filter((o) => o.color === 'black').map((o) => o.id));
  const last = frames[frames.length - 1]!;
  const dead = objs.filter((o) => o.color === 'white' && (only === undefined || only.has(o.space))).length;
  last.text += ` The stack is empty: marking is done. ${black.size} objects are black (live), ${dead} stay white (garbage).`;
  return { frames, black };
}

/** Replays Cheney's copy: roots first, then a breadth-first scan; destinations are the real ones. */
function copyFrames(before: GcObj[], after: GcObj[], roots: number[], from: Set<string>, remembered: number[], base: Omit<GcFrame, 'objects' | 'phase' | 'title' | 'text'>): GcFrame[] {
  const objs = clone(before);
  const byId = new Map(objs.map((o) => [o.id, o]));
  const dest = new Map(after.map((o) => [o.id, o]));
  const frames: GcFrame[] = [];
  const queue: number[] = [];
  const forward = (id: number): boolean => {
    const o = byId.get(id);
    if (!o || !from.has(o.space) || o.fwd !== undefined) return false;
    const d = dest.get(id);
    if (!d) return false;
    o.fwd = d.addr;
    o.color = 'black';
    objs.push({ ...d, refs: [...o.refs], color: 'grey' });
    queue.push(id);
    return true;
  };
  const copyOf = (id: number): GcObj | undefined => objs.find((x) => x.id === id && x.fwd === undefined && !from.has(x.space)) ?? undefined;
  const rootsCopied = roots.filter((r) => r !== 0 && forward(r));
  const remCopied: number[] = [];
  for (const id of remembered) for (const c of byId.get(id)?.refs ?? []) if (forward(c)) remCopied.push(c);
  frames.push({
    ...base,
    phase: 'copy',
    title: 'copy: evacuate what the roots point at',
    text:
      `Objects the roots${remembered.length ? ' and the remembered set' : ''} reach in from-space are copied (${[...rootsCopied, ...remCopied].map((x) => '#' + x).join(', ') || 'none'}); each old copy keeps a forwarding pointer (arrow) to its new address. ` +
      'Copied but not yet scanned = grey.',
    objects: clone(objs),
    worklist: [...queue],
  });
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    const c = copyOf(id);
    if (c) c.color = 'black';
    const copied = (byId.get(id)?.refs ?? []).filter((x) => forward(x));
    const d = dest.get(id)!;
    const promoted = d.space === 'old' && byId.get(id)!.space !== 'old';
    frames.push({
      ...base,
      phase: 'copy',
      title: `copy: scan #${id}${promoted ? ' (promoted)' : ''}`,
      text: `The scan pointer reaches #${id} in ${d.space}${promoted ? ' (promoted: it survived enough minor collections)' : ''}: its fields are forwarded${copied.length ? `, copying ${copied.map((x) => '#' + x).join(', ')}` : ''}.`,
      objects: clone(objs),
      worklist: queue.slice(i + 1),
      focus: id,
    });
  }
  if (frames.length > 1) frames[frames.length - 1]!.text += ' Scan caught up with copy: every live object is in to-space; from-space now holds only garbage and forwarding pointers.';
  return frames;
}

function snapshotRoots(heap: ManagedHeap): number[] {
  const out: number[] = [];
  for (let s = 0; s < GC_ROOTS; s++) {
    const p = heap.get(s);
    out.push(p === 0 ? 0 : heap.getI32(p, 0));
  }
  return out;
}

/** Runs the script on a real heap of `collector` and returns every frame of the view. */
export function buildGcFrames(collector: string, script = gcScript()): GcRun {
  const heap = createManagedHeap({ ...GC_HEAP_OPTIONS, collector });
  const type = prepare(heap);
  const addr = new Map<number, number>();
  const frames: GcFrame[] = [];
  const mismatch: string[] = [];
  const pauses: GcFrame['pauses'] = [];
  let t0 = 0;
  heap.onCollect = (phase, major) => {
    if (phase === 'before') t0 = performance.now();
    else pauses.push({ ms: performance.now() - t0, major, atBytes: heap.stats().bytesAllocated });
  };
  const stats = (): GcFrame['stats'] => {
    const s = heap.stats();
    return { collections: s.collections, usedBytes: s.usedBytes, bytesCopied: s.bytesCopied, bytesPromoted: s.bytesPromoted, bytesFreed: s.bytesFreed, totalPauseMs: s.totalPauseMs };
  };
  let ops = 0;
  let round = 1;
  frames.push({ ops: 0, phase: 'mutator', title: 'an empty heap', text: `A ${heap.collector} heap with ${GC_ROOTS} empty root slots (the shadow stack the collector reads and, when it moves objects, rewrites).`, objects: [], roots: snapshotRoots(heap), round, pauses: [], stats: stats() });
  for (const b of script) {
    const col = b.ops.length === 1 && b.ops[0]!.op === 'collect' ? b.ops[0] : null;
    if (col === null) {
      for (const o of b.ops) applyOp(heap, type, addr, o);
      ops += b.ops.length;
      frames.push({ ops, phase: 'mutator', title: b.title, text: b.text, objects: heapObjects(heap), roots: snapshotRoots(heap), round, pauses: [...pauses], stats: stats() });
      continue;
    }
    const full = col.full;
    const before = heapObjects(heap);
    const roots = snapshotRoots(heap);
    const minor = heap.plan.generational && !full;
    const remembered = minor ? before.filter((o) => o.logged).map((o) => o.id) : [];
    const pausesBefore = [...pauses];
    applyOp(heap, type, addr, col);
    ops += 1;
    const after = heapObjects(heap);
    const afterIds = new Set(after.map((o) => o.id));
    const base = { ops: ops - 1, roots, round, pauses: pausesBefore };
    const name = heap.collector;
    let inner: GcFrame[] = [];
    if (name === 'semispace' || minor) {
      const fromSpaces = new Set(minor ? before.filter((o) => o.space !== 'old' && o.space !== 'los').map((o) => o.space) : before.filter((o) => o.space !== 'los').map((o) => o.space));
      inner = copyFrames(before, after, roots, fromSpaces, remembered, base);
      const copiedIds = new Set(inner.length ? inner[inner.length - 1]!.objects.filter((o) => o.fwd !== undefined).map((o) => o.id) : []);
      const realMoved = new Set(before.filter((o) => fromSpaces.has(o.space) && afterIds.has(o.id)).map((o) => o.id));
      if ([...copiedIds].sort().join() !== [...realMoved].sort().join()) mismatch.push(`collection in round ${round}: replayed copy set differs from the real survivors`);
    } else {
      const { frames: mf, black } = markFrames(before, roots, base);
      inner = mf;
      const wantLive = [...black].sort((a, b) => a - b).join();
      const realLive = [...afterIds].sort((a, b) => a - b).join();
      if (wantLive !== realLive) mismatch.push(`collection in round ${round}: replayed marking found ${black.size} live objects, the heap kept ${afterIds.size}`);
      const marked = inner[inner.length - 1]!.objects;
      if (name === 'mark-sweep' || !heap.plan.movesObjects) {
        const objs = clone(marked);
        const CHUNK = 8;
        for (let i = 0; i < objs.length; i += CHUNK) {
          const freed: number[] = [];
          for (const o of objs.slice(i, i + CHUNK)) {
            if (o.color === 'white') {
              o.freed = true;
              freed.push(o.id);
            } else o.color = 'white';
          }
          inner.push({
            ...base,
            phase: 'sweep',
            title: `sweep ${i / CHUNK + 1}: objects ${i + 1}–${Math.min(objs.length, i + CHUNK)} in address order`,
            text: `The sweep walks the space's object-start bitmap in address order: white objects are returned to the free-list allocator (which coalesces neighbours)${freed.length ? ` — here ${freed.map((x) => '#' + x).join(', ')}` : ''}; black ones turn white again.`,
            objects: clone(objs),
            focus: objs[Math.min(objs.length, i + CHUNK) - 1]?.id,
          });
        }
      } else {
        const objs = clone(marked);
        const dest = new Map(after.map((o) => [o.id, o.addr]));
        for (const o of objs) if (o.color === 'black' && dest.get(o.id) !== o.addr) o.dest = dest.get(o.id);
        inner.push({
          ...base,
          phase: 'compact',
          title: heap.plan.generational ? 'major: compact the old space, evacuate the nursery' : 'compact: forwarding addresses',
          text: heap.plan.generational
            ? 'A major collection marks the whole heap, slides the old space down (Lisp-2), then runs a minor collection so the nursery is empty too: arrows show where each survivor ends up.'
            : 'Lisp-2 compaction: each black object gets the address it will slide to, in address order from the bottom of the space (arrows); then every root and field is updated to the new addresses, and the objects slide down.',
          objects: objs,
        });
      }
    }
    frames.push(...inner);
    const p = pauses[pauses.length - 1];
    const s = heap.stats();
    frames.push({
      ops,
      phase: 'after',
      title: `after collection #${s.collections}${p ? (p.major ? ' (major)' : ' (minor)') : ''}`,
      text:
        `The real heap after ${heap.collector}'s collection: ${after.length} objects (${before.length - after.length} reclaimed)` +
        (heap.plan.movesObjects ? `, ${s.bytesCopied} bytes copied or moved so far` : '') +
        (s.bytesPromoted ? `, ${s.bytesPromoted} bytes promoted so far` : '') +
        `. Pause ${p ? (p.ms * 1000).toFixed(0) : '?'} µs.`,
      objects: after,
      roots: snapshotRoots(heap),
      round,
      pauses: [...pauses],
      stats: stats(),
    });
    round++;
  }
  for (const f of frames) f.round = Math.min(f.round, 3);
  const spaces = heap.spaces
    .filter((s) => s.name !== 'los' || frames.some((f) => f.objects.some((o) => o.space === 'los')))
    .map((s) => {
      let lo = Infinity;
      let hi = 0;
      for (const f of frames) for (const o of f.objects) if (o.space === s.name) (lo = Math.min(lo, o.addr), hi = Math.max(hi, o.addr + o.size));
      const from = lo === Infinity ? s.start : Math.max(s.start, Math.floor(lo / 256) * 256);
      return { name: s.name, start: s.start, end: s.end, from, extent: Math.max(512, Math.ceil((hi - from) / 256) * 256) };
    });
  return { collector: heap.collector, description: heap.plan.description, movesObjects: heap.plan.movesObjects, generational: heap.plan.generational, spaces, frames, mismatch };
}
