/**
 * peers.ts — `npm run bench:peers`: heapkit's allocators against the allocators a JavaScript user could
 * pick instead (AssemblyScript's TLSF in Wasm, @thi.ng/malloc, `new Uint8Array(n)`, a bump pointer) and
 * glibc's malloc (native C replay), on the bundled traces: throughput, utilization, high water, validity.
 *
 *   node --import tsx bench/peers.ts [TRACES|FOLDERS...] [--peers a,b,...] [--runs N] [--timeout S] [--cold] [--json]
 *
 * Peers: heapkit:<preset> (default fast + the lead's presets), as-tlsf, thi.ng, uint8array, bump, glibc.
 * Each allocator runs in its own worker thread (fresh JIT feedback), each run in a fresh heap; time is the
 * replay loop only (traces are parsed first). Every payload's first and last byte carry a tag checked
 * before each realloc/free. Ratios are geometric means over the traces where both sides are valid.
 * Loop shape, the same for every peer and the C replay: a validation pass, an untimed warm-up pass, then
 * timed runs (median). heapkit's heaps are re-formatted over the previous run's memory, as the C replay's
 * timed runs reuse the arena its first pass grew; `--cold` gives them a fresh memory every run instead.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listTraces, loadTrace, type Trace } from './peers-trace.js';
import { PeerWorker, buildC, buildWasm, runC } from './peers-run.js';

/** glibc 2.36's utilization on the real-program traces, from traces/real/README.md (measured on an idle machine). */
const GLIBC_README: Record<string, number> = {
  'bash-script': 0.412, 'gawk-wordfreq': 0.915, 'gcc-cc1-pngtest': 0.921, 'git-log-p': 0.988,
  'perl-wordfreq': 0.864, 'python-compileall': 0.927, 'python-json': 0.852,
};

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, def: string): string => (args.includes(name) ? args[args.indexOf(name) + 1] : def);
const json = args.includes('--json');
/** Fresh memory for every run of a heapkit heap (default: re-format over the previous run's memory, as glibc reuses its arena). */
const cold = args.includes('--cold');
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
const defaultPeers = [...new Set(['heapkit:fast', 'heapkit:fast-nopages', 'heapkit:offset', ...(await lectureNames()).map((n) => `heapkit:${n}`), 'as-tlsf', 'thi.ng', 'uint8array', 'bump', 'glibc'])];
const saved: Row[] | null = fromFile ? (JSON.parse(readFileSync(fromFile, 'utf8')) as Row[]) : null;
const peers = saved ? [...new Set(saved.map((r) => r.peer))] : opt('--peers', defaultPeers.join(',')).split(',').filter(Boolean);
const log = (m: string): void => {
  if (!json) process.stderr.write(m + '\n');
};

const runOptions = { runs, timeoutS, maxBytes, cold, log };

interface Row { trace: string; path: string; set: string; scored: string; peer: string; valid: boolean; timedOut: boolean; refused: number; opsPerSec: number; utilization: number | null; heapHighWater: number; peakLive: number; errors: string[] }

function scoredSet(t: Trace): string {
  if (t.set === 'malloclab-new') return t.header1 === 1 || t.header1 === 2 ? 'malloclab-new (16 scored)' : t.header1 === 3 ? 'malloclab-new (throughput only)' : 'malloclab-new (unscored)';
  if (t.set === 'malloclab') return /short[12]/.test(t.name) ? 'classic (short)' : 'classic 11';
  return t.set;
}

const files = saved ? [...new Set(saved.map((r) => r.path))] : listTraces(roots.length ? roots : [join(here, '..', 'traces')]);
log(`loading ${files.length} traces ...`);
const traces = files.map(loadTrace);
const wasmPath = !saved && peers.includes('as-tlsf') ? buildWasm() : '';
const cBin = !saved && peers.includes('glibc') ? buildC(log) : null;
const rows: Row[] = saved ?? [];
// Trace-major order: every allocator replays a trace before the next trace starts, so all of them meet
// the same machine load (other work on a shared machine shifts absolute figures, much less the ratios).
const active = saved ? [] : peers.filter((p) => p !== 'glibc' || cBin !== null);
const workers = new Map(active.filter((p) => p !== 'glibc').map((p) => [p, new PeerWorker(p, wasmPath, runOptions)]));
const spent = new Map(active.map((p) => [p, 0]));
let done = 0;
for (const t of saved ? [] : traces) {
  for (const peer of active) {
    const t0 = Date.now();
    const pw = workers.get(peer);
    const r = pw ? await pw.run(t) : runC(cBin!, t, runOptions);
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
