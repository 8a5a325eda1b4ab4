/**
 * report.ts — `heapkit report [TRACES...] [--alloc a,b,...] -o report.html`: one self-contained HTML page
 * of plots (inline SVG) and figures for traces on allocators. Exports `registerReport`, `resolveReportTraces`.
 */
import type { Command } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import { allocatorNames } from '../../alloc/create.js';
import { readTraceFileSync } from '../../node/read-trace.js';
import { bundledTracesDir, collectTraceFiles } from '../../node/trace-files.js';
import { buildReport } from '../../report/build-report.js';
import { collectGcPauses } from '../../report/gc-pauses.js';
import { collectorNames } from '../../gc/index.js';

/** Traces a report uses when none are named: small, varied bundled ones. */
export const DEFAULT_REPORT_TRACES = ['amptjp-bal', 'random-bal', 'binary-bal', 'coalescing-bal', 'realloc-bal'];
/** Allocators a report compares when none are named. */
export const DEFAULT_REPORT_ALLOCATORS = ['implicit-first', 'explicit-lifo', 'segregated', 'tlsf'];

/** Trace files for the arguments: paths (files or folders), or bare names of bundled traces (`amptjp-bal`). */
export function resolveReportTraces(args: readonly string[]): string[] {
  const names = args.length > 0 ? args : DEFAULT_REPORT_TRACES;
  // shallowest first: `random-bal` is malloclab/random-bal.rep, not csapp3e-autolab's file of the same name
  const bundled = collectTraceFiles([bundledTracesDir()]).sort((x, y) => x.split('/').length - y.split('/').length);
  const out: string[] = [];
  for (const a of names) {
    if (existsSync(a)) out.push(...collectTraceFiles([a]));
    else {
      const hit = bundled.find((f) => f.endsWith(`/${a}.rep`) || f.endsWith(`/${a}.rep.gz`));
      if (!hit) throw new Error(`no such trace file, folder or bundled trace: ${a}`);
      out.push(hit);
    }
  }
  return [...new Set(out)];
}

/** Adds `heapkit report` to the program. */
export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write one self-contained HTML report (inline SVG plots) of traces replayed on allocators')
    .argument('[traces...]', `trace files, folders or bundled trace names (default: ${DEFAULT_REPORT_TRACES.join(', ')})`)
    .option('-a, --alloc <names>', `comma-separated allocators (default: ${DEFAULT_REPORT_ALLOCATORS.join(',')}; 'all' for every one)`)
    .requiredOption('-o, --out <file>', 'HTML file to write')
    .option('--runs <n>', 'timed runs per trace and allocator (median reported)', '3')
    .option('--samples <n>', 'points per curve', '300')
    .option('--gc [collectors]', "also run the GC workloads under these collectors (comma-separated; no value = all) and plot pause histograms")
    .option('--gc-workload <names>', 'GC workloads: binary-trees, gcbench', 'binary-trees')
    .option('--gc-scale <n>', 'GC workload size (tree depth)', '12')
    .action((traces: string[], o: { alloc?: string; out: string; runs: string; samples: string; gc?: string | boolean; gcWorkload: string; gcScale: string }) => {
      const allocators = !o.alloc ? DEFAULT_REPORT_ALLOCATORS : o.alloc === 'all' ? [...allocatorNames] : o.alloc.split(',').map((s) => s.trim()).filter(Boolean);
      for (const a of allocators) if (!allocatorNames.includes(a)) throw new RangeError(`unknown allocator '${a}'; known: ${allocatorNames.join(', ')}`);
      const runs = Number(o.runs);
      const samples = Number(o.samples);
      if (!(runs >= 1) || !(samples >= 2)) throw new RangeError('--runs must be ≥ 1 and --samples ≥ 2');
      const files = resolveReportTraces(traces);
      const list = files.map((path) => ({ trace: readTraceFileSync(path), path }));
      const bar = process.stderr.isTTY ? new SingleBar({ format: 'report [{bar}] {value}/{total} {label}', stream: process.stderr }) : null;
      bar?.start(list.length * allocators.length, 0, { label: '' });
      const t0 = performance.now();
      const r0 = { traces: list, allocators, runs, samples, onProgress: (done: number, _t: number, label: string) => bar?.update(done, { label }) };
      let gc;
      if (o.gc) {
        const known = collectorNames();
        const cs = o.gc === true ? known : o.gc.split(',').map((x) => x.trim()).filter(Boolean);
        for (const c of cs) if (!known.includes(c)) throw new RangeError(`unknown collector '${c}'; known: ${known.join(', ')}`);
        gc = collectGcPauses(cs, o.gcWorkload.split(','), Number(o.gcScale));
      }
      const r = buildReport(gc ? { ...r0, gc } : r0);
      bar?.stop();
      writeFileSync(o.out, r.html);
      process.stderr.write(
        `heapkit report: wrote ${o.out} (${(r.html.length / 1024).toFixed(0)} KiB; ${list.length} traces × ${allocators.length} allocators in ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`,
      );
    });
}
