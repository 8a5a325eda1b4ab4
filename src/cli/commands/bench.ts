/**
 * bench.ts — `heapkit bench [TRACES or FOLDERS...]`: every trace × every allocator, validated and timed.
 * Exports `registerBench`, `renderBenchTables`.
 *
 * Jobs run in a worker pool (src/node/pool.ts) with a per-job time limit. Output: two tables
 * (utilization, throughput) with one block of rows per folder set and per-allocator averages, or
 * with `--json` one JSON array of records on stdout. A progress bar goes to stderr when it is a
 * terminal. Exit code 1 when any result is invalid (an allocator error or an unreadable trace);
 * refused and timed-out results are not failures.
 */
import { Option, type Command } from 'commander';
import cliProgress from 'cli-progress';
import { allocatorNames } from '../../index.js';
import type { BenchRecord } from '../../trace/evaluate.js';
import { summarize, type AllocatorSummary } from '../../trace/summary.js';
import { DEFAULT_BENCH_MAX_BYTES, type BenchJob } from '../../node/bench-job.js';
import { defaultWorkerCount, runBenchPool } from '../../node/pool.js';
import { collectTraceFiles, traceGroup } from '../../node/trace-files.js';

interface BenchFlags {
  alloc?: string;
  runs: string;
  timeout: string;
  align: string;
  json?: boolean;
  workers?: string;
  maxHeap: string;
  checkEvery: string;
  minMs: string;
}

/** Parses a positive number option or throws a clear error. */
export function positive(name: string, text: string, integer: boolean): number {
  const v = Number(text);
  if (!(v > 0) || (integer && !Number.isInteger(v))) throw new Error(`${name} must be a positive ${integer ? 'integer' : 'number'}, not '${text}'`);
  return v;
}

/** The allocator list of `--alloc a,b,...` (all presets when omitted); throws for an unknown name. */
export function parseAllocList(text: string | undefined): string[] {
  if (text === undefined) return [...allocatorNames];
  const names = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new Error('--alloc needs at least one allocator name');
  for (const n of names) if (!allocatorNames.includes(n)) throw new Error(`unknown allocator '${n}'; known: ${allocatorNames.join(', ')}`);
  return names;
}

/** Parses `--align`. */
export function parseAlign(text: string): 8 | 16 {
  if (text !== '8' && text !== '16') throw new Error(`--align must be 8 or 16, not '${text}'`);
  return text === '8' ? 8 : 16;
}

/** Adds `heapkit bench` to the program. */
export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('replay traces on allocators: validate every result, measure utilization and throughput (default: all bundled traces × all presets)')
    .argument('[traces...]', 'trace files (.rep, .rep.gz) or folders searched recursively (default: the bundled traces/)')
    .option('--alloc <names>', 'comma-separated allocator presets (default: all; see `heapkit allocators`)')
    .option('--runs <n>', 'timed runs per trace and allocator (median reported)', '3')
    .option('--timeout <seconds>', 'time limit of one trace × allocator job; slower jobs are reported timed out', '60')
    .option('--align <bytes>', 'payload alignment: 8 or 16', '16')
    .option('--json', 'print one JSON array of records on stdout instead of tables')
    .option('--workers <n>', `worker threads (default: available cores, ${defaultWorkerCount()} here)`)
    .option('--max-heap <MiB>', 'heap limit of each heap; larger requests are refused', String(DEFAULT_BENCH_MAX_BYTES / 1048576))
    .option('--check-every <n>', 'also run checkHeap() every n ops in the validated pass (0 = only at the end)', '0')
    .addOption(new Option('--min-ms <ms>', 'extra timed runs for short traces until their runs total this long').default('25'))
    .action(async (args: string[], o: BenchFlags) => {
      const allocators = parseAllocList(o.alloc);
      const runs = positive('--runs', o.runs, true);
      const timeout = positive('--timeout', o.timeout, false);
      const align = parseAlign(o.align);
      const workers = o.workers === undefined ? undefined : positive('--workers', o.workers, true);
      const maxBytes = Math.floor(positive('--max-heap', o.maxHeap, false) * 1048576);
      const checkEvery = o.checkEvery === '0' ? 0 : positive('--check-every', o.checkEvery, true);
      const minTotalMs = o.minMs === '0' ? 0 : positive('--min-ms', o.minMs, false);
      const files = collectTraceFiles(args);

      const jobs: BenchJob[] = [];
      for (const path of files) for (const allocator of allocators) jobs.push({ path, allocator, align, runs, checkEvery, maxBytes, minTotalMs });

      const started = Date.now();
      const bar = process.stderr.isTTY
        ? new cliProgress.SingleBar(
            { stream: process.stderr, format: 'bench {bar} {value}/{total} jobs | {eta_formatted} left | {job}', hideCursor: true, clearOnComplete: true },
            cliProgress.Presets.shades_classic,
          )
        : null;
      bar?.start(jobs.length, 0, { job: '' });
      const records = await runBenchPool(jobs, {
        timeoutSeconds: timeout,
        ...(workers !== undefined ? { workers } : {}),
        onRecord: (r, done) => bar?.update(done, { job: `${r.trace} × ${r.allocator}` }),
      });
      bar?.stop();
      const seconds = (Date.now() - started) / 1000;

      if (o.json) process.stdout.write(JSON.stringify(records, null, 1) + '\n');
      else process.stdout.write(renderBenchTables(records, allocators, { seconds, timeout }));

      const bad = records.filter((r) => !r.valid && !r.timedOut && r.errors.length > 0);
      if (bad.length > 0) {
        const seen = new Set<string>();
        process.stderr.write(`heapkit bench: ${bad.length} invalid result(s):\n`);
        for (const r of bad) {
          const line = `  ${r.trace} × ${r.allocator}: ${r.errors[0]}`;
          const key = r.errors[0]!;
          if (seen.has(key) || seen.size >= 20) continue;
          seen.add(key);
          process.stderr.write(line + '\n');
        }
        process.exitCode = 1;
      }
    });
}

function pad(s: string, w: number, left = false): string {
  return left ? s.padEnd(w) : s.padStart(w);
}

/** A cell of the utilization table. */
function utilCell(r: BenchRecord | undefined): string {
  if (!r) return '';
  if (r.timedOut) return 'timeout';
  if (!r.valid && !r.refused) return 'INVALID';
  if (r.errors.length > 0) return 'INVALID';
  const u = r.utilization === null ? '—' : (r.utilization * 100).toFixed(1);
  return r.refused ? `R ${u}` : u;
}

/** A cell of the throughput table (Kops/s). */
function tputCell(r: BenchRecord | undefined): string {
  if (!r) return '';
  if (r.timedOut) return 'timeout';
  if (r.errors.length > 0 || (!r.valid && !r.refused)) return 'INVALID';
  const k = r.opsPerSec / 1000;
  const s = k >= 100 ? k.toFixed(0) : k.toFixed(1);
  return r.refused ? `R ${s}` : s;
}

/**
 * Renders the human report: for utilization (%) and throughput (Kops/s), a table with one row per
 * trace, one column per allocator, grouped by folder set, with per-allocator averages under each
 * group (mean utilization and geometric-mean throughput over the valid results, and over the
 * results the set's driver scores).
 */
export function renderBenchTables(records: readonly BenchRecord[], allocators: readonly string[], info: { seconds: number; timeout: number }): string {
  const groups = new Map<string, Map<string, Map<string, BenchRecord>>>();
  for (const r of records) {
    const g = traceGroup(r.path);
    let gm = groups.get(g);
    if (!gm) groups.set(g, (gm = new Map()));
    let tm = gm.get(r.path);
    if (!tm) gm.set(r.path, (tm = new Map()));
    tm.set(r.allocator, r);
  }
  const sums = summarize(records, (r) => traceGroup(r.path));
  const sumOf = (g: string, a: string): AllocatorSummary | undefined => sums.find((s) => s.group === g && s.allocator === a);

  let nameW = 24;
  for (const r of records) nameW = Math.max(nameW, r.trace.length + 2);
  const colW = Math.max(9, ...allocators.flatMap((a) => a.split('-').map((p) => p.length + 1)));
  const head1 = allocators.map((a) => pad(a.split('-')[0]!, colW)).join('');
  const head2 = allocators.map((a) => pad(a.split('-').slice(1).join('-'), colW)).join('');

  let out = '';
  const table = (title: string, cell: (r: BenchRecord | undefined) => string, avg: (s: AllocatorSummary | undefined, scored: boolean) => string): void => {
    out += `\n${title}\n`;
    out += pad('', nameW, true) + head1 + '\n' + pad('trace', nameW, true) + head2 + '\n';
    for (const [g, traces] of groups) {
      out += `── ${g} ${'─'.repeat(Math.max(0, nameW + colW * allocators.length - g.length - 4))}\n`;
      for (const [, byAlloc] of traces) {
        const first = byAlloc.values().next().value as BenchRecord;
        out += pad(first.trace, nameW, true) + allocators.map((a) => pad(cell(byAlloc.get(a)), colW)).join('') + '\n';
      }
      out += pad('  mean (valid)', nameW, true) + allocators.map((a) => pad(avg(sumOf(g, a), false), colW)).join('') + '\n';
      if (allocators.some((a) => (sumOf(g, a)?.scoredUtilizationOf ?? 0) > 0 && (sumOf(g, a)?.scoredUtilizationOf ?? 0) < (sumOf(g, a)?.traces ?? 0)))
        out += pad('  mean (scored)', nameW, true) + allocators.map((a) => pad(avg(sumOf(g, a), true), colW)).join('') + '\n';
      out += pad('  valid / traces', nameW, true) + allocators.map((a) => pad(`${sumOf(g, a)?.valid ?? 0}/${sumOf(g, a)?.traces ?? 0}`, colW)).join('') + '\n';
    }
  };
  const pct = (x: number | null, n: number, of: number): string => (x === null ? '—' : (x * 100).toFixed(1) + (n < of ? '*' : ''));
  const kops = (x: number | null, n: number, of: number): string => (x === null ? '—' : (x / 1000 >= 100 ? (x / 1000).toFixed(0) : (x / 1000).toFixed(1)) + (n < of ? '*' : ''));
  table('Utilization (%) = peak live requested bytes / heap high-water', utilCell, (s, scored) =>
    !s ? '' : scored ? pct(s.scoredMeanUtilization, s.nScoredUtilization, s.scoredUtilizationOf) : pct(s.meanUtilization, s.nUtilization, s.traces),
  );
  table('Throughput (Kops/s, median run; averages are geometric means)', tputCell, (s, scored) =>
    !s ? '' : scored ? kops(s.scoredGeomeanOpsPerSec, s.nScoredThroughput, s.scoredThroughputOf) : kops(s.geomeanOpsPerSec, s.nThroughput, s.traces),
  );

  const valid = records.filter((r) => r.valid).length;
  const refused = records.filter((r) => r.refused && r.errors.length === 0 && !r.timedOut).length;
  const timedOut = records.filter((r) => r.timedOut).length;
  const invalid = records.length - valid - refused - timedOut;
  out +=
    `\nR = some requests refused (larger than the heap limit allows; not a failure); timeout = over ${info.timeout} s;\n` +
    `* = average over fewer traces than the group has (the others were refused, timed out or invalid).\n` +
    `${records.length} results: ${valid} valid, ${refused} refused, ${timedOut} timed out, ${invalid} invalid — ${info.seconds.toFixed(1)} s\n`;
  return out;
}
