/**
 * replay.ts — `heapkit replay TRACE`: one validated replay of one trace on one allocator, in process.
 * Exports `registerReplay`.
 *
 * Prints a summary (result, utilization, throughput of the fast runs, growths) and the final
 * `stats()` of the validated heap; `--json` prints the same as one JSON object (the bench record
 * fields plus `stats`). Exit code 1 when the run is invalid.
 */
import type { Command } from 'commander';
import { createHeap, defaultAllocatorName } from '../../index.js';
import { measureThroughput } from '../../trace/measure.js';
import { scoring } from '../../trace/sets.js';
import { replayValidated } from '../../trace/validate.js';
import type { BenchRecord } from '../../trace/evaluate.js';
import { DEFAULT_BENCH_MAX_BYTES } from '../../node/bench-job.js';
import { readTraceFile } from '../../node/read-trace.js';
import { formatReplayMetrics, measureReplay } from '../../check/metrics.js';
import { parseAlign, parseAllocList, positive } from './bench.js';

interface ReplayFlags {
  alloc?: string;
  align: string;
  json?: boolean;
  runs: string;
  maxHeap: string;
  checkEvery: string;
  metrics?: boolean;
}

/** Adds `heapkit replay` to the program. */
export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('replay one trace on one allocator with full validation; print the final stats() and a summary')
    .argument('<trace>', 'trace file (.rep or .rep.gz)')
    .option('--alloc <name>', 'allocator preset (default: the default allocator)')
    .option('--align <bytes>', 'payload alignment: 8 or 16', '16')
    .option('--json', 'print the result as one JSON object')
    .option('--runs <n>', 'timed fast runs after the validated one (median reported)', '3')
    .option('--max-heap <MiB>', 'heap limit; larger requests are refused', String(DEFAULT_BENCH_MAX_BYTES / 1048576))
    .option('--check-every <n>', 'also run checkHeap() every n ops (0 = only at the end)', '0')
    .option('--metrics', 'also measure fragmentation (internal, external, free-block histogram, J&W overhead split) and locality on one more replay')
    .action(async (path: string, o: ReplayFlags) => {
      const allocator = parseAllocList(o.alloc ?? defaultAllocatorName())[0]!;
      const align = parseAlign(o.align);
      const runs = positive('--runs', o.runs, true);
      const maxBytes = Math.floor(positive('--max-heap', o.maxHeap, false) * 1048576);
      const checkEvery = o.checkEvery === '0' ? 0 : positive('--check-every', o.checkEvery, true);
      const trace = await readTraceFile(path);
      const makeHeap = () => createHeap({ allocator, align, maxBytes });
      const t0 = performance.now();
      const v = replayValidated(trace, makeHeap(), { checkEvery });
      const validateMs = performance.now() - t0;
      const tp = v.ok ? measureThroughput(trace, makeHeap, runs) : { opsPerSec: null, runsMs: [] as number[] };
      const s = scoring(path, trace.header);
      const record: BenchRecord & { stats: typeof v.stats; opsDone: number; validateMs: number } = {
        trace: trace.name,
        path,
        allocator,
        valid: v.ok && v.refused === 0,
        refused: v.refused > 0,
        timedOut: false,
        utilization: v.utilization,
        opsPerSec: tp.opsPerSec ?? 0,
        heapHighWater: v.heapHighWater,
        peakLive: v.peakLive,
        errors: v.errors,
        refusedCount: v.refused,
        growths: v.growths,
        backingGrowths: v.backingGrowths,
        ops: trace.length,
        align,
        runsMs: tp.runsMs,
        scoredUtilization: s.utilization,
        scoredThroughput: s.throughput,
        header: [...trace.header],
        seconds: (performance.now() - t0) / 1000,
        stats: v.stats,
        opsDone: v.opsDone,
        validateMs,
      };
      const metrics = o.metrics ? measureReplay(trace, makeHeap()) : undefined;
      if (o.json) {
        process.stdout.write(JSON.stringify(metrics ? { ...record, metrics } : record, null, 1) + '\n');
      } else {
        const verdict = !v.ok ? 'INVALID' : v.refused > 0 ? `valid, ${v.refused} request(s) refused (beyond the ${maxBytes} B heap limit)` : 'valid';
        const lines = [
          `trace      ${path} (${trace.name}: ${trace.length} ops, ${trace.numIds} ids${trace.ignoredLines ? `, ${trace.ignoredLines} extra line(s) ignored` : ''})`,
          `allocator  ${allocator}, align ${align}`,
          `result     ${verdict}: ${v.opsDone}/${trace.length} ops validated in ${validateMs.toFixed(0)} ms`,
          ...v.errors.map((e) => `  error    ${e}`),
          `utilization ${v.utilization === null ? '— (nothing allocated)' : (v.utilization * 100).toFixed(1) + '%'} = peak live ${v.peakLive} B / heap high-water ${v.heapHighWater} B`,
          `throughput ${tp.opsPerSec === null ? '— (not measured: invalid)' : `${(tp.opsPerSec / 1000).toFixed(0)} Kops/s (median of ${tp.runsMs.length} run(s): ${tp.runsMs.map((m) => m.toFixed(1)).join(', ')} ms)`}`,
          `growths    ${v.growths} break moves, ${v.backingGrowths} buffer growths`,
          `stats()    ${v.stats ? Object.entries(v.stats).map(([k, x]) => `${k} ${x}`).join(', ') : '(threw)'}`,
          ...(metrics ? formatReplayMetrics(metrics) : []),
        ];
        process.stdout.write(lines.join('\n') + '\n');
      }
      if (!v.ok) process.exitCode = 1;
    });
}
