/**
 * traces.ts — the traces the visualizer ships (imported as text at build time) and those a user drops in.
 * Exports `bundledTraces`, `traceNames`, `loadTrace`, `addUserTrace`, `DEFAULT_TRACE`.
 */
import { parseTrace } from '../trace/parse.js';
import type { Trace } from '../trace/trace.js';
import short1 from '../../traces/malloclab/short1-bal.rep?raw';
import short2 from '../../traces/malloclab/short2-bal.rep?raw';
import synMix from '../../traces/malloclab-new/syn-mix-short.rep?raw';
import synStruct from '../../traces/malloclab-new/syn-struct-short.rep?raw';
import random from '../../traces/malloclab/random-bal.rep?raw';
import amptjp from '../../traces/malloclab/amptjp-bal.rep?raw';
import binary from '../../traces/malloclab/binary-bal.rep?raw';
import coalescing from '../../traces/malloclab/coalescing-bal.rep?raw';
import realloc from '../../traces/malloclab/realloc-bal.rep?raw';

/** Bundled trace texts by name. */
export const bundledTraces: Record<string, string> = {
  'amptjp-bal': amptjp,
  'short1-bal': short1,
  'short2-bal': short2,
  'syn-mix-short': synMix,
  'syn-struct-short': synStruct,
  'random-bal': random,
  'binary-bal': binary,
  'coalescing-bal': coalescing,
  'realloc-bal': realloc,
};

/** The trace the first screen shows. */
export const DEFAULT_TRACE = 'amptjp-bal';

const user = new Map<string, Trace>();
const cache = new Map<string, Trace>();

/** Names of every trace the app can show: bundled first, then dropped-in ones. */
export function traceNames(): string[] {
  return [...Object.keys(bundledTraces), ...user.keys()];
}

/** The parsed trace of that name, or null when unknown. */
export function loadTrace(name: string): Trace | null {
  const u = user.get(name);
  if (u) return u;
  const c = cache.get(name);
  if (c) return c;
  const text = bundledTraces[name];
  if (text === undefined) return null;
  const t = parseTrace(text, { file: `${name}.rep` });
  cache.set(name, t);
  return t;
}

/** Parses a dropped `.rep` or `.rep.gz` file and adds it under `user:<name>`; returns that name. Throws TraceParseError. */
export async function addUserTrace(file: File): Promise<string> {
  let bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  }
  const t = parseTrace(bytes, { file: file.name });
  const name = `user:${t.name}`;
  user.set(name, t);
  return name;
}
