/**
 * gc.ts — `npm run bench:gc`: heapkit's collectors against V8's own heap on binary-trees and GCBench.
 * Each run is a fresh child process (so one run's heap never taxes the next); V8 pauses come from
 * perf_hooks 'gc' entries. Prints a table with time, max pause and the ratio to V8, plus a JSON line.
 *
 * Usage: node --import tsx bench/gc.ts [--size-bt 16] [--size-gcbench 18] [--collectors a,b] [--runs 1]
 */
import { spawnSync } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { collectorNames, runGcWorkload } from '../src/gc/index.js';

interface Row {
  runtime: string;
  workload: string;
  size: number;
  timeMs: number;
  maxPauseMs: number;
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

async function runOne(runtime: string, workload: string, size: number): Promise<Row> {
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
  const runtimes = ['v8', ...arg('--collectors', collectorNames().join(',')).split(',').map((c) => 'heapkit:' + c)];
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
    console.log(r.runtime.padEnd(22) + r.workload.padEnd(14) + String(r.size).padStart(5) + r.timeMs.toFixed(0).padStart(10) + r.maxPauseMs.toFixed(1).padStart(11) + String(r.collections).padStart(7) + (r.timeMs / v8(r.workload)).toFixed(2).padStart(7) + '  ' + (r.checksumOk ? 'ok' : 'FAILED'));
  }
  for (const w of Object.keys(sizes)) {
    const best = rows.filter((r) => r.workload === w && r.runtime !== 'v8').sort((a, b) => a.timeMs - b.timeMs)[0]!;
    console.log(`${w}: fastest heapkit collector ${best.runtime} at ${(best.timeMs / v8(w)).toFixed(2)}× V8 (target ≤ 2×)`);
  }
  console.log(JSON.stringify(rows));
}
