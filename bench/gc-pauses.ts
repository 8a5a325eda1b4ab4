/**
 * gc-pauses.ts — `npm run bench:gc-pauses`: pause distributions (p50/p99/max, MMU over 1 ms and 10 ms) of every
 * heapkit collector side by side with V8's own pauses (perf_hooks 'gc' entries), on binary-trees and GCBench,
 * plus the same workloads on top of ≥ 256 MB of live data (a long-lived tree built first), where the
 * concurrent collector is compared with stop-the-world mark-sweep. Each run is a fresh child process.
 *
 * A pause of a heapkit collector is any stretch the main thread spends in collector work: for the stop-the-world
 * plans each collection (timed with `heap.onCollect`), for 'incremental'/'concurrent' every step, handshake and
 * remark (their pause log). Only pauses inside the workload's own run are counted (ballast building excluded).
 *
 * Usage: node --import tsx bench/gc-pauses.ts [--size-bt 16] [--size-gcbench 18] [--collectors a,b] [--live-mb 256] [--no-live] [--no-standard]
 */
import { spawnSync } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { bottomUpTree, collectorNames, createManagedHeap, itemCheck, runBinaryTrees, runGcBench } from '../src/gc/index.js';
import { PauseLog, pauseLogOf, summarizePauses, type PauseSummary } from '../src/gc/pauses.js';
import { shutdownMarkers } from '../src/gc/plan-concurrent.js';

interface Row {
  runtime: string;
  workload: string;
  size: number;
  liveMB: number;
  timeMs: number;
  checksumOk: boolean;
  pauses: PauseSummary;
  highWaterMB: number;
  note: string;
}

// ───────────── plain V8 objects (the same shapes as the managed workloads) ─────────────
class TreeNode {
  constructor(
    public left: TreeNode | null,
    public right: TreeNode | null,
  ) {}
}
const bottomUp = (d: number): TreeNode => (d > 0 ? new TreeNode(bottomUp(d - 1), bottomUp(d - 1)) : new TreeNode(null, null));
const check = (t: TreeNode): number => (t.left === null ? 1 : 1 + check(t.left) + check(t.right!));
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
}
const treeSize = (i: number) => (1 << (i + 1)) - 1;
function populate(d: number, n: GNode): void {
  if (d <= 0) return;
  n.left = new GNode();
  n.right = new GNode();
  populate(d - 1, n.left);
  populate(d - 1, n.right);
}
function makeTree(d: number): GNode {
  if (d <= 0) return new GNode();
  const n = new GNode();
  n.left = makeTree(d - 1);
  n.right = makeTree(d - 1);
  return n;
}
const gcheck = (t: GNode): number => (t.left === null ? 1 : 1 + gcheck(t.left) + gcheck(t.right!));
function v8GcBench(stretch: number): boolean {
  const kLong = stretch - 2;
  let ok = gcheck(makeTree(stretch)) === treeSize(stretch);
  const longLived = new GNode();
  populate(kLong, longLived);
  const arr = new Float64Array(stretch >= 18 ? 500000 : Math.max(1000, 500000 >> (18 - stretch)));
  for (let i = 0; i < arr.length / 2; i++) arr[i] = 1.0 / i;
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
  return ok && gcheck(longLived) === treeSize(kLong) && arr[1000] === 1 / 1000;
}

// ───────────── one run (child process) ─────────────
async function runOne(runtime: string, workload: string, size: number, liveMB: number): Promise<Row> {
  let log = new PauseLog();
  let ok: boolean;
  let t0: number;
  let t1: number;
  let hw = 0;
  let note = '';
  if (runtime === 'v8') {
    const obs = new PerformanceObserver((l) => {
      for (const e of l.getEntries()) log.record(e.startTime, e.duration);
    });
    obs.observe({ entryTypes: ['gc'] });
    t0 = performance.now();
    ok = workload === 'binary-trees' ? v8BinaryTrees(size) : v8GcBench(size);
    t1 = performance.now();
    await new Promise((r) => setTimeout(r, 50)); // 'gc' entries are delivered asynchronously
    obs.disconnect();
    hw = process.memoryUsage().rss;
    note = 'rss';
  } else {
    const maxBytes = liveMB > 0 ? Math.min(3800, Math.max(1024, liveMB * 5)) * 1048576 : 512 * 1048576;
    const h = createManagedHeap({ collector: runtime, maxBytes });
    // ballast: a long-lived tree of ≥ liveMB (TreeNode: 2 refs, 16 bytes)
    if (liveMB > 0) {
      const T = h.defineRecord('Ballast', 2, 0);
      let d = 4;
      while (2 ** (d + 1) * 16 < liveMB * 1048576) d++;
      h.push(bottomUpTree(h, T, d));
      note = `ballast tree depth ${d}, ${((2 ** (d + 1) * 16) / 1048576).toFixed(0)} MB`;
    }
    const own = pauseLogOf(h);
    if (own === null) {
      let tc = 0;
      h.onCollect = (phase) => {
        if (phase === 'before') tc = performance.now();
        else log.record(tc, performance.now() - tc);
      };
    } else {
      log = own;
    }
    log.clear();
    t0 = performance.now();
    ok = (workload === 'binary-trees' ? runBinaryTrees(h, size) : runGcBench(h, size)).checksumOk;
    t1 = performance.now();
    if (liveMB > 0) ok &&= itemCheck(h, h.get(0)) > 0;
    hw = h.stats().heapHighWater;
    const plan = h.plan as unknown as { remoteCycles?: number; cycles?: number };
    if (plan.cycles !== undefined) note += `${note ? '; ' : ''}${plan.cycles} cycles${plan.remoteCycles ? `, ${plan.remoteCycles} marked in the worker` : ''}`;
    else note += `${note ? '; ' : ''}${h.stats().collections} collections`;
    shutdownMarkers();
  }
  return { runtime, workload, size, liveMB, timeMs: t1 - t0, checksumOk: ok, pauses: summarizePauses(log, { from: t0, to: t1, windowsMs: [1, 10] }), highWaterMB: hw / 1048576, note };
}

// ───────────── driver ─────────────
function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : def;
}

if (process.argv[2] === '--one') {
  const [runtime, workload, size, live] = process.argv.slice(3);
  const row = await runOne(runtime!, workload!, Number(size), Number(live ?? 0));
  process.stdout.write('ROW ' + JSON.stringify(row) + '\n');
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
function spawnRun(runtime: string, workload: string, size: number, liveMB: number): Row {
  const heapMB = liveMB > 0 ? 4096 : 2048;
  const res = spawnSync(process.execPath, [`--max-old-space-size=${heapMB}`, '--import', 'tsx', self, '--one', runtime, workload, String(size), String(liveMB)], { encoding: 'utf8', timeout: 900_000, maxBuffer: 1 << 24 });
  const line = res.stdout.split('\n').find((l) => l.startsWith('ROW '));
  if (line === undefined) {
    const empty: PauseSummary = { count: 0, totalMs: 0, p50Ms: 0, p99Ms: 0, maxMs: 0, spanMs: 0, mmu: [] };
    return { runtime, workload, size, liveMB, timeMs: NaN, checksumOk: false, pauses: empty, highWaterMB: 0, note: `failed: ${(res.stderr || String(res.error)).split('\n').slice(0, 3).join(' ')}` };
  }
  return JSON.parse(line.slice(4)) as Row;
}

const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');
function table(rows: Row[], base: Row | undefined): string {
  const head = ['runtime', 'workload', 'size', 'live MB', 'time ms', '×MS', 'pauses', 'p50 ms', 'p99 ms', 'max ms', 'MMU 1ms', 'MMU 10ms', 'hw MB', 'ok', 'note'];
  const body = rows.map((r) => [
    r.runtime,
    r.workload,
    String(r.size),
    String(r.liveMB),
    f(r.timeMs, 0),
    base ? f(r.timeMs / base.timeMs) : '—',
    String(r.pauses.count),
    f(r.pauses.p50Ms, 3),
    f(r.pauses.p99Ms, 3),
    f(r.pauses.maxMs),
    f(r.pauses.mmu[0]?.utilization ?? NaN),
    f(r.pauses.mmu[1]?.utilization ?? NaN),
    f(r.highWaterMB, 0),
    r.checksumOk ? 'ok' : 'FAIL',
    r.note,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => (i < 2 || i === c.length - 1 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

const sizes: Record<string, number> = { 'binary-trees': Number(arg('--size-bt', '16')), gcbench: Number(arg('--size-gcbench', '18')) };
const collectors = arg('--collectors', collectorNames().join(',')).split(',');
const liveMB = Number(arg('--live-mb', '256'));
const all: Row[] = [];
process.stdout.write(`load average at start: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (2 cores; pauses include any preemption)\n`);
if (!process.argv.includes('--no-standard')) {
  for (const w of ['binary-trees', 'gcbench']) {
    const rows: Row[] = [];
    for (const c of ['v8', ...collectors]) {
      const r = spawnRun(c, w, sizes[w]!, 0);
      rows.push(r);
      process.stderr.write(`  ${c} × ${w}: ${f(r.timeMs, 0)} ms, max pause ${f(r.pauses.maxMs)} ms\n`);
    }
    process.stdout.write(`\n${w} ${sizes[w]}\n${table(rows, rows.find((r) => r.runtime === 'mark-sweep'))}\n`);
    all.push(...rows);
  }
}
if (!process.argv.includes('--no-live') && liveMB > 0) {
  for (const w of ['binary-trees', 'gcbench']) {
    const rows: Row[] = [];
    for (const c of ['mark-sweep', 'concurrent', 'incremental'].filter((c) => collectors.includes(c))) {
      const r = spawnRun(c, w, sizes[w]!, liveMB);
      rows.push(r);
      process.stderr.write(`  ${c} × ${w} + ${liveMB} MB live: ${f(r.timeMs, 0)} ms, max pause ${f(r.pauses.maxMs)} ms\n`);
    }
    const ms = rows.find((r) => r.runtime === 'mark-sweep');
    process.stdout.write(`\n${w} ${sizes[w]} on top of ≥ ${liveMB} MB live data\n${table(rows, ms)}\n`);
    const cc = rows.find((r) => r.runtime === 'concurrent');
    if (ms && cc) process.stdout.write(`concurrent vs mark-sweep: max pause ${f(ms.pauses.maxMs / cc.pauses.maxMs, 1)}× shorter, total time ${f(cc.timeMs / ms.timeMs)}×\n`);
    all.push(...rows);
  }
}
process.stdout.write(`load average at end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
process.stdout.write('JSON ' + JSON.stringify(all) + '\n');
