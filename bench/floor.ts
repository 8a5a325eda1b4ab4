/**
 * floor.ts — `npm run bench:floor`: where the time of a replay goes, JavaScript against C. For each trace it
 * times four loops of the same shape (bench/peers-worker.ts and bench/c/replay.c: tags written and checked,
 * timed runs after an untimed pass): the harness alone with no allocator at all ("floor"), heapkit's default
 * allocator, the C harness alone, and glibc's malloc. Subtracting each floor leaves what the allocator itself
 * costs per operation, so the ratio to glibc splits into harness and allocator.
 *
 *   node --import tsx bench/floor.ts [TRACES|FOLDERS...] [--runs N] [--peer heapkit:fast]   (default traces/real)
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listTraces, loadTrace } from './peers-trace.js';
import { PeerWorker, buildC, runC, type RunOptions } from './peers-run.js';

const args = process.argv.slice(2);
const opt = (name: string, def: string): string => (args.includes(name) ? args[args.indexOf(name) + 1]! : def);
const valued = new Set(['--runs', '--peer']);
const roots = args.filter((a, i) => !a.startsWith('--') && !valued.has(args[i - 1]!));
const here = fileURLToPath(new URL('.', import.meta.url));
const o: RunOptions = { runs: Number(opt('--runs', '5')), timeoutS: 30, maxBytes: 0x7fff0000, cold: false, log: (m) => process.stderr.write(m + '\n') };
const peer = opt('--peer', 'heapkit:fast');

const glibc = buildC(o.log);
const cFloor = buildC(o.log, ['HK_NULL_ALLOC']);
if (glibc === null || cFloor === null) {
  console.log('no C compiler: nothing to compare against');
  process.exit(0);
}
const jsFloor = new PeerWorker('null', '', o);
const ours = new PeerWorker(peer, '', o);
const ns = (opsPerSec: number): number => 1e9 / opsPerSec;
const f = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '—');
const head = ['trace', 'ops', 'C floor', 'glibc', 'glibc−floor', 'JS floor', peer, `${peer.replace('heapkit:', '')}−floor`, 'total ×', 'allocator ×'];
const rows: string[][] = [];
const sum = { cf: 0, g: 0, jf: 0, h: 0, n: 0 };
for (const path of listTraces(roots.length ? roots : [join(here, '..', 'traces', 'real')])) {
  const t = loadTrace(path);
  const [cf, g, jf, h] = [runC(cFloor, t, o), runC(glibc, t, o), await jsFloor.run(t), await ours.run(t)];
  if (!(cf.opsPerSec > 0 && g.opsPerSec > 0 && jf.opsPerSec > 0 && h.opsPerSec > 0) || g.errors.length || h.errors.length) {
    rows.push([t.name, String(t.numOps), ...Array(8).fill('—')]);
    continue;
  }
  const [a, b, c, d] = [ns(cf.opsPerSec), ns(g.opsPerSec), ns(jf.opsPerSec), ns(h.opsPerSec)];
  sum.cf += a * t.numOps;
  sum.g += b * t.numOps;
  sum.jf += c * t.numOps;
  sum.h += d * t.numOps;
  sum.n += t.numOps;
  rows.push([t.name, String(t.numOps), f(a), f(b), f(b - a), f(c), f(d), f(d - c), `${f(b / d, 2)}×`, `${f((b - a) / (d - c), 2)}×`]);
}
await jsFloor.close();
await ours.close();
if (sum.n > 0) {
  const m = (x: number): number => x / sum.n;
  rows.push(['all (per op)', String(sum.n), f(m(sum.cf)), f(m(sum.g)), f(m(sum.g - sum.cf)), f(m(sum.jf)), f(m(sum.h)), f(m(sum.h - sum.jf)), `${f(sum.g / sum.h, 2)}×`, `${f((sum.g - sum.cf) / (sum.h - sum.jf), 2)}×`]);
}
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (c: string[]): string => c.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join('  ');
console.log(`ns per operation (median of ≥ ${o.runs} warm runs each); "×" = ${peer}'s throughput relative to glibc's (1 = as fast)`);
console.log([line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n'));
console.log('total × compares whole loops; allocator × compares what is left after each language\'s own harness floor.');
