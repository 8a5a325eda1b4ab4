/**
 * gc.ts — `heapkit gc [--collector NAME] [--workload NAME] [--size N] [--json]`: every collector × workload on a managed heap.
 * Exports `registerGc`.
 *
 * Prints per run: total time, collections (minor/major), pause p50/p99/max, bytes copied, heap high-water
 * and whether the workload's checksums held; `--json` prints one JSON array of records instead.
 * Exit code 1 when any checksum failed or a run threw.
 */
import type { Command } from 'commander';
import { collectorNames, gcWorkloadNames, runGcWorkload, type GcRunRecord } from '../../gc/index.js';

interface GcFlags {
  collector?: string;
  workload?: string;
  size: string;
  preTouch?: boolean;
  json?: boolean;
}

function list(text: string | undefined, known: readonly string[], what: string): string[] {
  if (text === undefined || text === 'all') return [...known];
  const names = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const n of names) if (!known.includes(n)) throw new Error(`unknown ${what} '${n}'; known: ${known.join(', ')}`);
  if (names.length === 0) throw new Error(`--${what} needs a name`);
  return names;
}

const mb = (n: number) => (n / 1048576).toFixed(1);
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1));

function table(rows: GcRunRecord[]): string {
  const head = ['collector', 'workload', 'size', 'time ms', 'GCs', 'minor', 'major', 'p50 ms', 'p99 ms', 'max ms', 'copied MB', 'high-water MB', 'checksum'];
  const body = rows.map((r) => [
    r.collector,
    r.workload,
    String(r.size),
    r.timeMs.toFixed(0),
    String(r.collections),
    String(r.minorCollections),
    String(r.majorCollections),
    ms(r.p50PauseMs),
    ms(r.p99PauseMs),
    ms(r.maxPauseMs),
    mb(r.bytesCopied),
    mb(r.heapHighWater),
    r.checksumOk ? 'ok' : 'FAILED',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

/** Adds `heapkit gc` to the program. */
export function registerGc(program: Command): void {
  program
    .command('gc')
    .description('run garbage-collected workloads on every collector: time, collections, pauses, bytes copied, heap high-water, verified checksums')
    .option('--collector <names>', `comma-separated collectors (default: all: ${collectorNames().join(', ')})`)
    .option('--workload <names>', `comma-separated workloads (default: all: ${gcWorkloadNames.join(', ')})`)
    .option('--size <n>', "binary-trees max depth, GCBench stretch depth (Boehm's standard: 18), random-graph steps / 2000", '14')
    .option('--pre-touch', 'commit every page of each heap at creation (no page faults inside the run; see ManagedHeapOptions.preTouch)')
    .option('--json', 'print a JSON array of records instead of a table')
    .action((flags: GcFlags) => {
      const size = Number(flags.size);
      if (!Number.isInteger(size) || size < 1 || size > 24) throw new Error(`--size must be an integer in [1, 24], not '${flags.size}'`);
      const collectors = list(flags.collector, collectorNames(), 'collector');
      const workloads = list(flags.workload, gcWorkloadNames, 'workload');
      const rows: GcRunRecord[] = [];
      for (const w of workloads) {
        for (const c of collectors) {
          try {
            rows.push(runGcWorkload(c, w, size, flags.preTouch === true ? { preTouch: true } : {}));
          } catch (e) {
            const err = e as Error;
            rows.push({ collector: c, workload: w, size, timeMs: 0, collections: 0, minorCollections: 0, majorCollections: 0, maxPauseMs: 0, p99PauseMs: 0, p50PauseMs: 0, totalPauseMs: 0, bytesAllocated: 0, bytesCopied: 0, bytesPromoted: 0, heapHighWater: 0, checksumOk: false, detail: `${err.name}: ${err.message}` });
          }
          if (!flags.json && process.stderr.isTTY) process.stderr.write(`\r${c} × ${w} done   `);
        }
      }
      if (!flags.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      if (flags.json) process.stdout.write(JSON.stringify(rows, null, 1) + '\n');
      else {
        process.stdout.write(table(rows) + '\n');
        for (const r of rows) if (!r.checksumOk) process.stdout.write(`${r.collector} × ${r.workload}: ${r.detail}\n`);
      }
      if (rows.some((r) => !r.checksumOk)) process.exitCode = 1;
    });
}
