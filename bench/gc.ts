/**
 * gc.ts — `npm run bench:gc`: heapkit's collectors against V8's own heap on binary-trees and GCBench.
 * Each run is a fresh child process (so one run's heap never taxes the next); V8 pauses come from
 * perf_hooks 'gc' entries. Prints a table with time, max pause and the ratio to V8, plus a JSON line.
 *
 * AssemblyScript: the same two workloads written in AssemblyScript (source below) are compiled with asc -O3
 * against its 'minimal' runtime (TLSF + mark-sweep triggered by `__collect()` between trees, with the
 * long-lived data in globals, since that runtime does not scan the Wasm stack) and its 'incremental'
 * runtime (automatic incremental tri-colour collector), and timed from JavaScript (no pause data).
 *
 * Usage: node --import tsx bench/gc.ts [--size-bt 16] [--size-gcbench 18] [--collectors a,b] [--runs 1] [--no-as]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { collectorNames, runGcWorkload } from '../src/gc/index.js';

interface Row {
  runtime: string;
  workload: string;
  size: number;
  timeMs: number;
  /** null when the runtime gives no pause data (AssemblyScript). */
  maxPauseMs: number | null;
  collections: number;
  checksumOk: boolean;
}

// ───────────── plain V8 objects ─────────────
class TreeNode {
  constructor(
    public left: TreeNode | null,
    public right: TreeNode | null,
  ) {}
}
function bottomUp(d: number): TreeNode {
  return d > 0 ? new TreeNode(bottomUp(d - 1), bottomUp(d - 1)) : new TreeNode(null, null);
}
function check(t: TreeNode): number {
  return t.left === null ? 1 : 1 + check(t.left) + check(t.right!);
}
function v8BinaryTrees(n: number): boolean {
  const maxDepth = Math.max(6, n);
  let ok = check(bottomUp(maxDepth + 1)) === 2 ** (maxDepth + 2) - 1;
  const longLived = bottomUp(maxDepth);
  for (let d = 4; d <= maxDepth; d += 2) {
    const iters = 1 << (maxDepth - d + 4);
    let c = 0;
    for (let i = 0; i < iters; i++) c += check(bottomUp(d));
    ok &&= c === iters * (2 ** (d + 1) - 1);
  }
  return ok && check(longLived) === 2 ** (maxDepth + 1) - 1;
}

class GNode {
  left: GNode | null = null;
  right: GNode | null = null;
  i = 0;
  j = 0;
  constructor(l: GNode | null = null, r: GNode | null = null) {
    this.left = l;
    this.right = r;
  }
}
const treeSize = (i: number) => (1 << (i + 1)) - 1;
function populate(d: number, n: GNode): void {
  if (d <= 0) return;
  d--;
  n.left = new GNode();
  n.right = new GNode();
  populate(d, n.left);
  populate(d, n.right);
}
function makeTree(d: number): GNode {
  return d <= 0 ? new GNode() : new GNode(makeTree(d - 1), makeTree(d - 1));
}
function gcheck(t: GNode): number {
  return t.left === null ? 1 : 1 + gcheck(t.left) + gcheck(t.right!);
}
function v8GcBench(stretch: number): boolean {
  const kLong = stretch - 2;
  const kArray = stretch >= 18 ? 500000 : Math.max(1000, 500000 >> (18 - stretch));
  let ok = gcheck(makeTree(stretch)) === treeSize(stretch);
  const longLived = new GNode();
  populate(kLong, longLived);
  const array: number[] = new Array(kArray).fill(0.5);
  for (let i = 0; i < kArray / 2; i++) array[i] = 1.0 / i;
  for (let d = 4; d <= kLong; d += 2) {
    const iters = Math.floor((2 * treeSize(stretch)) / treeSize(d));
    let t = new GNode();
    for (let i = 0; i < iters; i++) {
      t = new GNode();
      populate(d, t);
    }
    ok &&= gcheck(t) === treeSize(d);
    for (let i = 0; i < iters; i++) t = makeTree(d);
    ok &&= gcheck(t) === treeSize(d);
  }
  return ok && gcheck(longLived) === treeSize(kLong) && array[1000] === 1 / 1000;
}

// ───────────── AssemblyScript ─────────────
const AS_SOURCE = `
class TNode { constructor(public left: TNode | null, public right: TNode | null) {} }
function bottomUp(d: i32): TNode { return d > 0 ? new TNode(bottomUp(d - 1), bottomUp(d - 1)) : new TNode(null, null); }
function check(t: TNode): i32 { const l = t.left; if (l === null) return 1; return 1 + check(l) + check(t.right!); }
let longLived: TNode | null = null;
export function binaryTrees(n: i32, manual: i32): i32 {
  const maxDepth = max(6, n);
  let ok = check(bottomUp(maxDepth + 1)) == (1 << (maxDepth + 2)) - 1;
  if (manual) __collect();
  longLived = bottomUp(maxDepth);
  for (let d = 4; d <= maxDepth; d += 2) {
    const iters = 1 << (maxDepth - d + 4);
    const every = max(1, (1 << 20) >> (d + 1));
    let c = 0;
    for (let i = 0; i < iters; i++) {
      c += check(bottomUp(d));
      if (manual && i % every == every - 1) __collect();
    }
    ok = ok && c == iters * ((1 << (d + 1)) - 1);
  }
  ok = ok && check(longLived!) == (1 << (maxDepth + 1)) - 1;
  longLived = null;
  if (manual) __collect();
  return ok ? 1 : 0;
}
class GNode { left: GNode | null = null; right: GNode | null = null; i: i32 = 0; j: i32 = 0; }
function populate(d: i32, n: GNode): void {
  if (d <= 0) return;
  d--;
  n.left = new GNode();
  n.right = new GNode();
  populate(d, n.left!);
  populate(d, n.right!);
}
function makeTree(d: i32): GNode {
  if (d <= 0) return new GNode();
  const n = new GNode();
  n.left = makeTree(d - 1);
  n.right = makeTree(d - 1);
  return n;
}
function gcheck(t: GNode): i32 { const l = t.left; if (l === null) return 1; return 1 + gcheck(l) + gcheck(t.right!); }
function treeSize(i: i32): i32 { return (1 << (i + 1)) - 1; }
let gLong: GNode | null = null;
let gArray: Float64Array | null = null;
let gTmp: GNode | null = null;
export function gcBench(stretch: i32, manual: i32): i32 {
  const kLong = stretch - 2;
  const kArray = stretch >= 18 ? 500000 : max(1000, 500000 >> (18 - stretch));
  let ok = gcheck(makeTree(stretch)) == treeSize(stretch);
  if (manual) __collect();
  gLong = new GNode();
  populate(kLong, gLong!);
  gArray = new Float64Array(kArray);
  for (let i = 0; i < kArray / 2; i++) gArray![i] = 1.0 / i;
  for (let d = 4; d <= kLong; d += 2) {
    const iters = (2 * treeSize(stretch)) / treeSize(d);
    const every = max(1, (1 << 20) >> (d + 1));
    for (let i = 0; i < iters; i++) {
      gTmp = new GNode();
      populate(d, gTmp!);
      if (manual && i % every == every - 1) __collect();
    }
    ok = ok && gcheck(gTmp!) == treeSize(d);
    for (let i = 0; i < iters; i++) {
      gTmp = makeTree(d);
      if (manual && i % every == every - 1) __collect();
    }
    ok = ok && gcheck(gTmp!) == treeSize(d);
  }
  ok = ok && gcheck(gLong!) == treeSize(kLong) && gArray![1000] == 1.0 / 1000;
  gLong = null; gArray = null; gTmp = null;
  if (manual) __collect();
  return ok ? 1 : 0;
}
`;

/** Compiles the AssemblyScript workloads for `runtime` ('minimal' | 'incremental') and returns the exports. */
function compileAs(runtime: string): Record<string, (...a: number[]) => number> {
  const dir = mkdtempSync(join(tmpdir(), 'heapkit-gc-as-'));
  const src = join(dir, 'workloads.ts');
  const out = join(dir, 'workloads.wasm');
  writeFileSync(src, AS_SOURCE);
  const here = dirname(fileURLToPath(import.meta.url));
  const asc = join(here, '..', 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  execFileSync(process.execPath, [asc, src, '--runtime', runtime, '-O3', '--noAssert', '--initialMemory', '256', '-o', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  const mod = new WebAssembly.Module(readFileSync(out));
  const inst = new WebAssembly.Instance(mod, {
    env: {
      abort: (_m: number, _f: number, line: number, col: number) => {
        throw new Error(`AssemblyScript abort at ${line}:${col}`);
      },
      seed: () => Date.now(),
    },
  });
  return inst.exports as unknown as Record<string, (...a: number[]) => number>;
}

async function runOne(runtime: string, workload: string, size: number): Promise<Row> {
  if (runtime.startsWith('as-')) {
    const rt = runtime.slice(3);
    const ex = compileAs(rt);
    const manual = rt === 'minimal' ? 1 : 0;
    const t0 = performance.now();
    const ok = (workload === 'binary-trees' ? ex.binaryTrees!(size, manual) : ex.gcBench!(size, manual)) === 1;
    const timeMs = performance.now() - t0;
    return { runtime, workload, size, timeMs, maxPauseMs: null, collections: 0, checksumOk: ok };
  }
  if (runtime === 'v8') {
    const pauses: number[] = [];
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) pauses.push(e.duration);
    });
    obs.observe({ entryTypes: ['gc'] });
    const t0 = performance.now();
    const ok = workload === 'binary-trees' ? v8BinaryTrees(size) : v8GcBench(size);
    const timeMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 50));
    obs.disconnect();
    return { runtime, workload, size, timeMs, maxPauseMs: Math.max(0, ...pauses), collections: pauses.length, checksumOk: ok };
  }
  const r = runGcWorkload(runtime.replace(/^heapkit:/, ''), workload, size);
  return { runtime, workload, size, timeMs: r.timeMs, maxPauseMs: r.maxPauseMs, collections: r.collections, checksumOk: r.checksumOk };
}

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}

if (process.argv[2] === '--one') {
  const row = await runOne(process.argv[3]!, process.argv[4]!, Number(process.argv[5]));
  process.stdout.write(JSON.stringify(row) + '\n');
} else {
  const sizes: Record<string, number> = { 'binary-trees': Number(arg('--size-bt', '16')), gcbench: Number(arg('--size-gcbench', '18')) };
  const runtimes = ['v8', ...(process.argv.includes('--no-as') ? [] : ['as-minimal', 'as-incremental']), ...arg('--collectors', collectorNames().join(',')).split(',').map((c) => 'heapkit:' + c)];
  const runs = Number(arg('--runs', '1'));
  const self = fileURLToPath(import.meta.url);
  const rows: Row[] = [];
  for (const workload of Object.keys(sizes)) {
    for (const runtime of runtimes) {
      let best: Row | null = null;
      for (let k = 0; k < runs; k++) {
        const res = spawnSync(process.execPath, ['--import', 'tsx', self, '--one', runtime, workload, String(sizes[workload])], { encoding: 'utf8', maxBuffer: 1 << 24 });
        const line = res.stdout.trim().split('\n').pop() ?? '';
        let row: Row;
        try {
          row = JSON.parse(line) as Row;
        } catch {
          row = { runtime, workload, size: sizes[workload]!, timeMs: NaN, maxPauseMs: NaN, collections: 0, checksumOk: false };
          process.stderr.write(`${runtime} ${workload}: ${res.stderr.slice(-500)}\n`);
        }
        if (best === null || row.timeMs < best.timeMs) best = row;
      }
      rows.push(best!);
      process.stderr.write(`${workload} ${runtime}: ${best!.timeMs.toFixed(0)} ms\n`);
    }
  }
  const v8 = (w: string) => rows.find((r) => r.runtime === 'v8' && r.workload === w)!.timeMs;
  console.log('runtime'.padEnd(22) + 'workload'.padEnd(14) + 'size'.padStart(5) + 'time ms'.padStart(10) + 'max pause'.padStart(11) + 'GCs'.padStart(7) + '  × V8  checksum');
  for (const r of rows) {
    console.log(r.runtime.padEnd(22) + r.workload.padEnd(14) + String(r.size).padStart(5) + r.timeMs.toFixed(0).padStart(10) + (r.maxPauseMs === null ? "-" : r.maxPauseMs.toFixed(1)).padStart(11) + String(r.collections).padStart(7) + (r.timeMs / v8(r.workload)).toFixed(2).padStart(7) + '  ' + (r.checksumOk ? 'ok' : 'FAILED'));
  }
  for (const w of Object.keys(sizes)) {
    const best = rows.filter((r) => r.workload === w && r.runtime.startsWith('heapkit:')).sort((a, b) => a.timeMs - b.timeMs)[0]!;
    const as = rows.filter((r) => r.workload === w && r.runtime.startsWith('as-')).map((r) => `${r.runtime} ${(best.timeMs / r.timeMs).toFixed(2)}×`);
    console.log(`${w}: fastest heapkit collector ${best.runtime} at ${(best.timeMs / v8(w)).toFixed(2)}× V8 (target ≤ 2×)${as.length ? '; vs AssemblyScript: ' + as.join(', ') : ''}`);
  }
  console.log(JSON.stringify(rows));
}
