/**
 * debug-heap.ts — the debug heap's cost: throughput of the fast replay through `createDebugHeap` relative
 * to the plain allocator on a few bundled traces (median of runs), plus memory high-water of both.
 *
 * Usage: node --import tsx bench/debug-heap.ts [--alloc NAME] [--runs N] [--stacks] [TRACE ...]
 */
import { join } from 'node:path';
import { createDebugHeap, createHeap, defaultAllocatorName, type Allocator } from '../src/index.js';
import { readTraceFileSync } from '../src/node/read-trace.js';
import { bundledTracesDir } from '../src/node/trace-files.js';
import { median, replayFast } from '../src/trace/measure.js';

const args = process.argv.slice(2);
let allocator = defaultAllocatorName();
let runs = 5;
let stacks = false;
const files: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--alloc') allocator = args[++i]!;
  else if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '--stacks') stacks = true;
  else files.push(args[i]!);
}
if (files.length === 0)
  for (const rel of ['malloclab/binary2-bal.rep', 'malloclab/coalescing-bal.rep', 'malloclab-new/ngram-shake1.rep', 'malloclab-new/bdd-nq7.rep', 'real/python-json.rep.gz', 'real/gcc-cc1-pngtest.rep.gz'])
    files.push(join(bundledTracesDir(), rel));

const maxBytes = 1 << 30;
function measure(trace: ReturnType<typeof readTraceFileSync>, make: () => Allocator): { opsPerSec: number; highWater: number } {
  const times: number[] = [];
  let highWater = 0;
  for (let r = 0; r < runs; r++) {
    const h = make();
    times.push(replayFast(trace, h));
    highWater = h.stats().highWater;
  }
  return { opsPerSec: trace.length / (median(times) / 1000), highWater };
}

const rows: string[][] = [['trace', 'ops', 'plain Kops/s', 'debug Kops/s', 'debug/plain', 'plain high-water', 'debug high-water']];
const ratios: number[] = [];
for (const file of files) {
  const trace = readTraceFileSync(file);
  const plain = measure(trace, () => createHeap({ allocator, maxBytes }));
  const debug = measure(trace, () => createDebugHeap({ allocator, maxBytes, captureStacks: stacks }));
  const ratio = debug.opsPerSec / plain.opsPerSec;
  ratios.push(ratio);
  rows.push([trace.name, String(trace.length), (plain.opsPerSec / 1000).toFixed(0), (debug.opsPerSec / 1000).toFixed(0), ratio.toFixed(3), String(plain.highWater), String(debug.highWater)]);
}
const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
for (const r of rows) console.log(r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  '));
const geo = Math.exp(ratios.reduce((t, r) => t + Math.log(r), 0) / ratios.length);
console.log(`\ndebug:${allocator}${stacks ? ' (captureStacks)' : ''} runs at ${geo.toFixed(3)}× the plain ${allocator} throughput (geometric mean, median of ${runs} runs each)`);
