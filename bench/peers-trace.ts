/**
 * peers-trace.ts — loads a malloc-lab `.rep` / `.rep.gz` trace into flat typed arrays for the peer benches.
 * Exports `loadTrace`, `listTraces`, `Trace`, op codes `OP_ALLOC`/`OP_REALLOC`/`OP_FREE`, `traceSet`.
 *
 * Quirks handled (see traces/README.md): `f -1` is free(NULL) (dropped); `r` of an id never allocated
 * is an allocation; `r id 0` frees; ids reused after free; `a id` without a size reuses the previous
 * size; extra op lines beyond the header's count are ignored.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { basename, join } from 'node:path';

export const OP_ALLOC = 0;
export const OP_REALLOC = 1;
export const OP_FREE = 2;

/** A parsed trace: op arrays plus the figures every replay shares. */
export interface Trace {
  name: string;
  path: string;
  /** Folder-level set: 'malloclab', 'csapp3e', 'malloclab-new', 'real'. */
  set: string;
  /** First header line (weight for malloclab-new and csapp3e). */
  header1: number;
  numIds: number;
  numOps: number;
  kind: Uint8Array;
  id: Int32Array;
  size: Float64Array;
  /** Peak of live requested bytes, counting only requests below 4 GiB (bigger ones are refused). */
  peakLive: number;
}

/** Which scored set a trace path belongs to. */
export function traceSet(path: string): string {
  if (path.includes('csapp3e-autolab')) return 'csapp3e';
  if (path.includes('malloclab-new')) return 'malloclab-new';
  if (path.includes('/real/')) return 'real';
  return 'malloclab';
}

/** Every `.rep`/`.rep.gz` under the given files or folders (recursively), sorted. */
export function listTraces(roots: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    if (statSync(p).isDirectory()) {
      for (const e of readdirSync(p).sort()) walk(join(p, e));
    } else if (p.endsWith('.rep') || p.endsWith('.rep.gz')) {
      out.push(p);
    }
  };
  for (const r of roots) walk(r);
  return out;
}

/** Parses a trace file. Throws an Error naming file and line on malformed input. */
export function loadTrace(path: string): Trace {
  const raw = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(raw) : raw).toString('latin1');
  const lines = text.split('\n');
  const header: number[] = [];
  let li = 0;
  while (header.length < 4 && li < lines.length) {
    const t = lines[li++].trim();
    if (t === '') continue;
    const v = Number(t.split(/\s+/)[0]);
    if (!Number.isFinite(v)) throw new Error(`${path}:${li}: bad header line '${t}'`);
    header.push(v);
  }
  if (header.length < 4) throw new Error(`${path}: missing header`);
  const numIds = header[1];
  const numOps = header[2];
  const kind = new Uint8Array(numOps);
  const id = new Int32Array(numOps);
  const size = new Float64Array(numOps);
  const live = new Uint8Array(numIds + 1);
  const liveSize = new Float64Array(numIds + 1);
  let n = 0;
  let lastSize = 0;
  let cur = 0;
  let peak = 0;
  for (; li < lines.length && n < numOps; li++) {
    const t = lines[li];
    if (t.length === 0) continue;
    const parts = t.trim().split(/\s+/);
    if (parts[0] === '') continue;
    const op = parts[0];
    const i = Number(parts[1]);
    if (!Number.isInteger(i)) throw new Error(`${path}:${li + 1}: bad id '${parts[1]}'`);
    if (op === 'f') {
      if (i < 0) continue; // free(NULL)
      if (i > numIds || !live[i]) throw new Error(`${path}:${li + 1}: free of id ${i} not live`);
      kind[n] = OP_FREE;
      id[n++] = i;
      live[i] = 0;
      cur -= liveSize[i];
      continue;
    }
    if (op !== 'a' && op !== 'r') throw new Error(`${path}:${li + 1}: unknown op '${op}'`);
    let sz = parts.length > 2 ? Number(parts[2]) : lastSize;
    if (!Number.isFinite(sz) || sz < 0) throw new Error(`${path}:${li + 1}: bad size '${parts[2]}'`);
    lastSize = sz;
    if (i < 0 || i > numIds) throw new Error(`${path}:${li + 1}: bad id ${i}`);
    const counted = sz < 0x1_0000_0000 ? sz : 0;
    if (op === 'r' && live[i]) {
      if (sz === 0) {
        kind[n] = OP_FREE;
        id[n++] = i;
        live[i] = 0;
        cur -= liveSize[i];
        continue;
      }
      kind[n] = OP_REALLOC;
      cur += counted - liveSize[i];
    } else {
      if (live[i]) throw new Error(`${path}:${li + 1}: allocation of id ${i} that is live`);
      if (sz === 0 && op === 'r') continue;
      kind[n] = OP_ALLOC;
      cur += counted;
      live[i] = 1;
    }
    liveSize[i] = counted;
    id[n] = i;
    size[n++] = sz;
    if (cur > peak) peak = cur;
  }
  const name = basename(path).replace(/\.rep(\.gz)?$/, '');
  return {
    name, path, set: traceSet(path), header1: header[0], numIds: numIds + 1, numOps: n,
    kind: kind.subarray(0, n), id: id.subarray(0, n), size: size.subarray(0, n), peakLive: peak,
  };
}
