/**
 * peers.ts — `npm run bench:peers`: heapkit's allocators against the allocators a JavaScript user could
 * pick instead (AssemblyScript's TLSF in Wasm, @thi.ng/malloc, `new Uint8Array(n)`, a bump pointer) and
 * glibc's malloc (native C replay), on the bundled traces: throughput, utilization, high water, validity.
 *
 *   node --import tsx bench/peers.ts [TRACES|FOLDERS...] [--peers a,b,...] [--runs N] [--timeout S] [--json]
 *
 * Peers: heapkit:<preset> (default fast + the lead's presets), as-tlsf, thi.ng, uint8array, bump, glibc.
 * Each allocator runs in its own worker thread (fresh JIT feedback), each run in a fresh heap; time is the
 * replay loop only (traces are parsed first). Every payload's first and last byte carry a tag checked
 * before each realloc/free. Ratios are geometric means over the traces where both sides are valid.
 */
import { Worker } from 'node:worker_threads';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listTraces, loadTrace, type Trace } from './peers-trace.js';
import type { RunResult } from './peers-worker.js';

/** glibc 2.36's utilization on the real-program traces, from traces/real/README.md (measured on an idle machine). */
const GLIBC_README: Record<string, number> = {
  'bash-script': 0.412, 'gawk-wordfreq': 0.915, 'gcc-cc1-pngtest': 0.921, 'git-log-p': 0.988,
  'perl-wordfreq': 0.864, 'python-compileall': 0.927, 'python-json': 0.852,
};

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, def: string): string => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const json = args.includes('--json');
const runs = Number(opt('--runs', '3'));
const timeoutS = Number(opt('--timeout', '10'));
const valued = new Set(['--peers', '--runs', '--timeout', '--max-bytes', '--out', '--from']);
const outFile = opt('--out', '');
/** Re-print the report of a saved `--out` file instead of running. */
const fromFile = opt('--from', '');
const roots = args.filter((a, i) => !a.startsWith('--') && !valued.has(args[i - 1]));
const maxBytes = Number(opt('--max-bytes', String(0x7fff0000)));

async function lectureNames(): Promise<string[]> {
  try {
    const m = await import('../src/alloc/create.js');
    return m.allocatorNames.filter((n: string) => !n.startsWith('fast') && !n.startsWith('implicit'));
  } catch {
    return [];
  }
}
const defaultPeers = ['heapkit:fast', 'heapkit:fast-nopages', ...(await lectureNames()).map((n) => `heapkit:${n}`), 'as-tlsf', 'thi.ng', 'uint8array', 'bump', 'glibc'];
const saved: Row[] | null = fromFile ? (JSON.parse(readFileSync(fromFile, 'utf8')) as Row[]) : null;
const peers = saved ? [...new Set(saved.map((r) => r.peer))] : opt('--peers', defaultPeers.join(',')).split(',').filter(Boolean);
const log = (m: string): void => {
  if (!json) process.stderr.write(m + '\n');
};

const work = join(tmpdir(), `heapkit-bench-${process.pid}`);
mkdirSync(work, { recursive: true });

/** Compiles bench/as/tlsf.ts with asc (-O3, minimal runtime: TLSF heap, no collector). */
function buildWasm(): string {
  const out = join(tmpdir(), 'heapkit-as-tlsf.wasm');
  const src = join(here, 'as', 'tlsf.ts');
  if (existsSync(out) && statSync(out).mtimeMs > statSync(src).mtimeMs) return out;
  const asc = join(here, '..', 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  execFileSync(process.execPath, [asc, src, '--runtime', 'minimal', '-O3', '-o', out], { stdio: 'inherit' });
  return out;
}

/** Compiles bench/c/replay.c with the machine's C compiler, or returns null with a note. */
function buildC(): string | null {
  const out = join(work, 'replay');
  const r = spawnSync('cc', ['-O2', '-o', out, join(here, 'c', 'replay.c')], { encoding: 'utf8' });
  if (r.status !== 0) {
    log(`glibc: skipped (no working C compiler: ${r.error?.message ?? r.stderr.trim()})`);
    return null;
  }
  return out;
}

interface Row { trace: string; path: string; set: string; scored: string; peer: string; valid: boolean; timedOut: boolean; refused: number; opsPerSec: number; utilization: number | null; heapHighWater: number; peakLive: number; errors: string[] }

function scoredSet(t: Trace): string {
  if (t.set === 'malloclab-new') return t.header1 === 1 || t.header1 === 2 ? 'malloclab-new (16 scored)' : t.header1 === 3 ? 'malloclab-new (throughput only)' : 'malloclab-new (unscored)';
  if (t.set === 'malloclab') return /short[12]/.test(t.name) ? 'classic (short)' : 'classic 11';
  return t.set;
}

function runC(bin: string, t: Trace): RunResult {
  const file = join(work, 'trace.bin');
  const hdr = new Uint32Array([0x52544b48, t.numIds, t.numOps]);
  const kpad = (t.numOps + 3) & ~3;
  const k = new Uint8Array(kpad);
  k.set(t.kind);
  writeFileSync(file, Buffer.concat([Buffer.from(hdr.buffer), Buffer.from(k.buffer), Buffer.from(t.id.slice().buffer), Buffer.from(t.size.slice().buffer)]));
  const r = spawnSync(bin, [file, String(runs)], { encoding: 'utf8', timeout: timeoutS * 1000 * (runs + 1) });
  if (r.status !== 0) return { opsPerSec: 0, highWater: 0, errors: [r.error ? 'timed out' : `exit ${r.status}: ${r.stderr}`], refused: 0, timedOut: r.error !== undefined, runs: 0 };
  const o = JSON.parse(r.stdout) as { opsPerSec: number; highWater: number; errors: number; refused: number };
  return { opsPerSec: o.opsPerSec, highWater: o.highWater, errors: o.errors ? [`${o.errors} damaged payloads or failed requests`] : [], refused: o.refused, timedOut: false, runs };
}

class PeerWorker {
  private w: Worker | null = null;
  constructor(private readonly peer: string, private readonly wasmPath: string) {}
  private async start(): Promise<Worker> {
    const entry = new URL('./peers-worker.ts', import.meta.url).href;
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
    const w = new Worker(boot, { eval: true, workerData: { peer: this.peer, wasmPath: this.wasmPath, maxBytes } });
    await new Promise<void>((res, rej) => {
      w.once('message', () => res());
      w.once('error', rej);
    });
    this.w = w;
    return w;
  }
  async run(t: Trace): Promise<RunResult> {
    const w = this.w ?? (await this.start());
    const budgetMs = timeoutS * 1000;
    const trace = { name: t.name, numIds: t.numIds, numOps: t.numOps, kind: t.kind, id: t.id, size: t.size, peakLive: t.peakLive };
    return new Promise<RunResult>((res) => {
      const timer = setTimeout(() => {
        cleanup();
        void w.terminate();
        this.w = null;
        res({ opsPerSec: 0, highWater: 0, errors: ['timed out (hard)'], refused: 0, timedOut: true, runs: 0 });
      }, budgetMs + 15000);
      const onMsg = (r: RunResult): void => {
        cleanup();
        res(r);
      };
      const onErr = (e: Error): void => {
        cleanup();
        this.w = null;
        res({ opsPerSec: 0, highWater: 0, errors: [`worker died: ${e.message}`], refused: 0, timedOut: false, runs: 0 });
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        w.off('message', onMsg);
        w.off('error', onErr);
      };
      w.on('message', onMsg);
      w.on('error', onErr);
      w.postMessage({ trace, runs, budgetMs });
    });
  }
  async close(): Promise<void> {
    if (this.w) await this.w.terminate();
  }
}

const files = saved ? [...new Set(saved.map((r) => r.path))] : listTraces(roots.length ? roots : [join(here, '..', 'traces')]);
log(`loading ${files.length} traces ...`);
const traces = files.map(loadTrace);
const wasmPath = !saved && peers.includes('as-tlsf') ? buildWasm() : '';
const cBin = !saved && peers.includes('glibc') ? buildC() : null;
const rows: Row[] = saved ?? [];
// Trace-major order: every allocator replays a trace before the next trace starts, so all of them meet
// the same machine load (other work on a shared machine shifts absolute figures, much less the ratios).
const active = saved ? [] : peers.filter((p) => p !== 'glibc' || cBin !== null);
const workers = new Map(active.filter((p) => p !== 'glibc').map((p) => [p, new PeerWorker(p, wasmPath)]));
const spent = new Map(active.map((p) => [p, 0]));
let done = 0;
for (const t of saved ? [] : traces) {
  for (const peer of active) {
    const t0 = Date.now();
    const pw = workers.get(peer);
    const r = pw ? await pw.run(t) : runC(cBin!, t);
    spent.set(peer, spent.get(peer)! + Date.now() - t0);
    const valid = !r.timedOut && r.errors.length === 0 && r.runs > 0;
    rows.push({
      trace: t.name, path: t.path, set: t.set, scored: scoredSet(t), peer, valid, timedOut: r.timedOut, refused: r.refused,
      opsPerSec: r.opsPerSec, utilization: valid && r.highWater > 0 ? t.peakLive / r.highWater : null, heapHighWater: r.highWater, peakLive: t.peakLive, errors: r.errors,
    });
  }
  done++;
  if (!json && process.stderr.isTTY) process.stderr.write(`\r${done}/${traces.length} traces`);
}
for (const w of workers.values()) await w.close();
if (!saved) log(`\n${[...spent].map(([p, ms]) => `${p} ${(ms / 1000).toFixed(1)} s`).join(', ')}`);

if (outFile) writeFileSync(outFile, JSON.stringify(rows));
if (json) {
  process.stdout.write(JSON.stringify(rows) + '\n');
} else {
  report();
}

function geomean(xs: number[]): number {
  return xs.length ? Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length) : NaN;
}


/** The targets of issue 3, checked for the first allocator in the list. */
function targets(get: (trace: string, path: string, peer: string) => Row | undefined): void {
  const me = peers[0];
  const line = (ok: boolean, text: string): void => console.log(`  ${ok ? 'met   ' : 'MISSED'} ${text}`);
  console.log(`\ntargets (issue 3) for ${me}:`);
  const ratio = (p: string, filter: (t: Trace) => boolean): number[] => traces.filter(filter).map((t) => [get(t.name, t.path, me), get(t.name, t.path, p)]).filter(([a, b]) => a?.valid && b?.valid).map(([a, b]) => a!.opsPerSec / b!.opsPerSec);
  if (peers.includes('as-tlsf')) {
    const r = ratio('as-tlsf', () => true);
    const g = geomean(r);
    line(g >= 2, `throughput geomean vs as-tlsf ≥ 2×: ${g.toFixed(2)}× over ${r.length} traces`);
    const w = Math.min(...r);
    line(w >= 1 / 1.5, `no trace slower than as-tlsf by > 1.5×: worst ${w.toFixed(2)}× (${r.filter((x) => x < 1 / 1.5).length} traces below 0.67×)`);
  }
  if (peers.includes('glibc')) {
    const r = ratio('glibc', (t) => t.set === 'real');
    if (r.length) line(geomean(r) >= 0.5, `throughput ≥ 0.5× glibc on real/: ${geomean(r).toFixed(2)}× (per trace ${r.map((x) => x.toFixed(2)).join(', ')})`);
  }
  const mean = (set: string): [number, number] => {
    const u = rows.filter((x) => x.peer === me && x.scored === set && x.utilization !== null).map((x) => x.utilization!);
    return [u.reduce((a, b) => a + b, 0) / u.length, u.length];
  };
  const [m16, n16] = mean('malloclab-new (16 scored)');
  if (n16) line(m16 >= 0.8 && n16 === 16, `malloclab-new 16 scored mean utilization ≥ 0.80: ${(m16 * 100).toFixed(1)}% over ${n16}`);
  const [m11, n11] = mean('classic 11');
  if (n11) line(m11 >= 0.92 && n11 === 11, `classic 11 mean utilization ≥ 0.92: ${(m11 * 100).toFixed(1)}% over ${n11}`);
  for (const t of traces.filter((x) => x.set === 'real')) {
    const a = get(t.name, t.path, me);
    const g = get(t.name, t.path, 'glibc');
    const ref = GLIBC_README[t.name];
    if (!a?.utilization) continue;
    const refs = [ref !== undefined ? `README ${(ref * 100).toFixed(1)}%` : '', g?.utilization ? `measured ${(g.utilization * 100).toFixed(1)}%` : ''].filter(Boolean).join(', ');
    line(a.utilization >= Math.max(ref ?? 0, g?.utilization ?? 0), `${t.name}: utilization ${(a.utilization * 100).toFixed(1)}% ≥ glibc (${refs})`);
  }
}

function report(): void {
  const get = (trace: string, path: string, peer: string): Row | undefined => rows.find((r) => r.path === path && r.peer === peer);
  const short = (p: string): string => p.replace('heapkit:', 'hk:');
  const cell = (r: Row | undefined): string => {
    if (!r) return ''.padStart(14);
    if (r.timedOut) return 'timeout'.padStart(14);
    if (!r.valid) return 'WRONG'.padStart(14);
    return `${(r.opsPerSec / 1e6).toFixed(2).padStart(6)} ${r.utilization === null ? '   -  ' : (r.utilization * 100).toFixed(1).padStart(5) + '%'}`.padStart(14);
  };
  console.log(`Mops/s and utilization per trace (16-byte alignment, median of ${runs} runs)`);
  console.log('trace'.padEnd(26) + peers.map((p) => short(p).padStart(14)).join(''));
  for (const t of traces) console.log(`${t.name.slice(0, 25).padEnd(26)}${peers.map((p) => cell(get(t.name, t.path, p))).join('')}`);
  const wrong = rows.filter((r) => !r.valid && !r.timedOut);
  if (wrong.length) {
    console.log('\nwrong results:');
    for (const r of wrong) console.log(`  ${r.peer} on ${r.trace}: ${r.errors.slice(0, 2).join('; ')}`);
  }
  const sets = [...new Set(rows.map((r) => r.scored))];
  console.log('\nper peer: geomean Mops/s over its valid traces; mean utilization per set (valid traces only)');
  console.log('peer'.padEnd(22) + 'geomean'.padStart(9) + sets.map((s) => s.slice(0, 16).padStart(18)).join(''));
  for (const p of peers) {
    const mine = rows.filter((r) => r.peer === p && r.valid);
    const line = sets.map((s) => {
      const u = mine.filter((r) => r.scored === s && r.utilization !== null).map((r) => r.utilization!);
      const all = rows.filter((r) => r.peer === p && r.scored === s).length;
      return u.length ? `${((u.reduce((a, b) => a + b, 0) / u.length) * 100).toFixed(1)}% (${u.length}/${all})`.padStart(18) : ''.padStart(18);
    });
    console.log(short(p).padEnd(22) + (geomean(mine.map((r) => r.opsPerSec)) / 1e6).toFixed(2).padStart(9) + line.join(''));
  }
  const me = peers[0];
  console.log(`\n${me} vs each peer: geomean of per-trace throughput ratios (traces valid for both), worst trace, and on real/`);
  for (const p of peers.slice(1)) {
    const pairs = traces.map((t) => [get(t.name, t.path, me), get(t.name, t.path, p)] as const).filter(([a, b]) => a?.valid && b?.valid) as [Row, Row][];
    if (!pairs.length) continue;
    const ratios = pairs.map(([a, b]) => a.opsPerSec / b.opsPerSec);
    const worst = pairs.reduce((w, pr, i) => (ratios[i] < w.r ? { r: ratios[i], t: pr[0].trace } : w), { r: Infinity, t: '' });
    const real = pairs.filter(([a]) => a.set === 'real').map(([a, b]) => a.opsPerSec / b.opsPerSec);
    const utilPairs = pairs.filter(([a, b]) => a.utilization !== null && b.utilization !== null);
    const uBetter = utilPairs.filter(([a, b]) => a.utilization! >= b.utilization!).length;
    console.log(`  vs ${short(p).padEnd(18)} ${geomean(ratios).toFixed(2).padStart(6)}×  over ${String(pairs.length).padStart(3)} traces; worst ${worst.r.toFixed(2)}× (${worst.t}); real/ ${real.length ? geomean(real).toFixed(2) + '×' : '-'}; utilization ≥ peer on ${uBetter}/${utilPairs.length}`);
  }
  targets(get);
}
