/**
 * build-report.ts — `heapkit report`'s engine: evaluates traces on allocators and writes one
 * self-contained HTML page (inline CSS and SVG, no scripts, no fetches). Exports `buildReport`,
 * `ReportOptions`, `ReportTrace`, `ReportResult`, `GcPauseSet`.
 *
 * For each trace: heap size and live bytes over time per allocator, fragmentation over time; for the set:
 * utilization and throughput per trace and allocator (the trace lab's validated and timed replays), a
 * table of every figure, and GC pause histograms when collectors' pauses are given.
 */
import { createHeap } from '../alloc/create.js';
import { describeAllocator } from '../alloc/create.js';
import { evaluateTrace, type BenchRecord } from '../trace/evaluate.js';
import type { Trace } from '../trace/trace.js';
import { barChart, fragmentationChart, heapChart, histogramChart } from './charts.js';
import { sampleSeries, type Series } from './series.js';

/** A trace to report on. */
export interface ReportTrace {
  trace: Trace;
  /** Where it came from (shown in the report). */
  path: string;
}

/** Pauses of one collector on one workload, in milliseconds. */
export interface GcPauseSet {
  collector: string;
  workload: string;
  pausesMs: number[];
}

/** Options of `buildReport`. */
export interface ReportOptions {
  traces: ReportTrace[];
  /** Preset names. */
  allocators: string[];
  /** Timed runs per (trace, allocator); the median is reported. Default 3. */
  runs?: number;
  /** Samples per curve. Default 300. */
  samples?: number;
  /** Collector pauses to draw as histograms (optional). */
  gc?: GcPauseSet[];
  /** Called after each (trace, allocator) job. */
  onProgress?: (done: number, total: number, label: string) => void;
  /** Title of the page. */
  title?: string;
}

/** The page and the figures in it. */
export interface ReportResult {
  html: string;
  records: BenchRecord[];
  series: Series[];
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const pct = (x: number | null): string => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);
const mops = (x: number): string => (x > 0 ? (x / 1e6).toFixed(2) : '—');
const kib = (n: number): string => (n > 0 ? (n / 1024).toFixed(1) : '—');

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#0f172a;background:#f8fafc;margin:0;padding:24px 32px;max-width:1340px}
h1{font-size:22px;margin:0 0 4px}h1 span{color:#2563eb}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e2e8f0;padding-bottom:4px}
h3{font-size:14px;margin:14px 0 4px}.meta{color:#64748b;font-size:12px}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(600px,1fr));gap:14px}
.card{background:white;border:1px solid #e2e8f0;border-radius:8px;padding:8px 12px;overflow-x:auto}
.card figure{margin:0}.note{color:#64748b;font-size:12px;margin:2px 0 6px}
table{border-collapse:collapse;font-size:12.5px;background:white;font-variant-numeric:tabular-nums}
th,td{border:1px solid #e2e8f0;padding:3px 8px;text-align:right}th{background:#f1f5f9}td:first-child,td:nth-child(2){text-align:left}
.bad{color:#b91c1c}code{font:12px ui-monospace,monospace}`;

/** Evaluates every (trace, allocator) pair and returns the report page. */
export function buildReport(opts: ReportOptions): ReportResult {
  const runs = opts.runs ?? 3;
  const samples = opts.samples ?? 300;
  const total = opts.traces.length * opts.allocators.length;
  const records: BenchRecord[] = [];
  const allSeries: Series[] = [];
  const sections: string[] = [];
  let done = 0;
  for (const { trace, path } of opts.traces) {
    const series: Series[] = [];
    for (const a of opts.allocators) {
      const make = () => createHeap({ allocator: a });
      records.push(evaluateTrace(trace, make, { allocator: a, path, runs }));
      series.push(sampleSeries(trace, make, a, samples));
      opts.onProgress?.(++done, total, `${trace.name} × ${a}`);
    }
    allSeries.push(...series);
    sections.push(`<h2 id="t-${esc(trace.name)}">${esc(trace.name)} <span class="meta">${esc(path)} · ${trace.length} ops · ${trace.numIds} ids</span></h2>
<div class="grid">
<div class="card"><h3>Heap size over time</h3><p class="note">Lines: each allocator's heap (base to break). Grey: live requested bytes, what the trace itself holds.</p>${heapChart(series)}</div>
<div class="card"><h3>Fragmentation over time</h3><p class="note">External fragmentation = 1 − largest free block ÷ free bytes (0 when the free space is one block).</p>${fragmentationChart(series)}</div>
</div>`);
  }
  const util = records.filter((r) => r.utilization !== null).map((r) => ({ trace: r.trace, allocator: r.allocator, value: r.utilization! }));
  const thr = records.filter((r) => r.opsPerSec > 0).map((r) => ({ trace: r.trace, allocator: r.allocator, value: r.opsPerSec }));
  const rows = records
    .map(
      (r) =>
        `<tr><td>${esc(r.trace)}</td><td>${esc(r.allocator)}</td><td>${pct(r.utilization)}</td><td>${mops(r.opsPerSec)}</td>` +
        `<td>${kib(r.heapHighWater)}</td><td>${kib(r.peakLive)}</td><td class="${r.valid ? '' : 'bad'}">${r.valid ? 'yes' : r.refused ? `refused ${r.refusedCount}` : 'NO'}</td>` +
        `<td>${r.errors.length ? esc(r.errors[0]!) : ''}</td></tr>`,
    )
    .join('\n');
  let gc = '';
  if (opts.gc && opts.gc.length > 0) {
    const byWorkload = new Map<string, GcPauseSet[]>();
    for (const g of opts.gc) byWorkload.set(g.workload, [...(byWorkload.get(g.workload) ?? []), g]);
    gc = `<h2 id="gc">Garbage-collection pauses</h2><div class="grid">${[...byWorkload]
      .map(
        ([w, sets]) =>
          `<div class="card"><h3>${esc(w)}</h3><p class="note">${sets.map((s) => `${esc(s.collector)}: ${s.pausesMs.length} pauses, max ${Math.max(0, ...s.pausesMs).toFixed(2)} ms`).join(' · ')}</p>` +
          histogramChart(
            sets.flatMap((s) => s.pausesMs.map((v) => ({ group: s.collector, value: v }))),
            'pause (ms)',
          ) +
          '</div>',
      )
      .join('')}</div>`;
  }
  const allocList = opts.allocators.map((a) => `<li><code>${esc(a)}</code> — ${esc(describeAllocator(a) ?? '')}</li>`).join('');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(opts.title ?? 'heapkit report')}</title><style>${CSS}</style></head>
<body>
<h1>heap<span>kit</span> report</h1>
<p class="meta">${opts.traces.length} traces × ${opts.allocators.length} allocators · generated ${new Date().toISOString()} · throughput = median of ${runs} timed replays (this machine, this moment)</p>
<ul>${allocList}</ul>
<h2 id="summary">Utilization and throughput per trace</h2>
<div class="grid">
<div class="card"><h3>Utilization</h3><p class="note">Peak live requested bytes ÷ heap high-water (higher is better).</p>${util.length ? barChart(util, 'utilization (%)', 'percent') : '<p>none measured</p>'}</div>
<div class="card"><h3>Throughput</h3><p class="note">Operations per second of the replay loop (higher is better).</p>${thr.length ? barChart(thr, 'ops / s (log scale)', 'log') : '<p>none measured</p>'}</div>
</div>
<h3>All figures</h3>
<table><thead><tr><th>trace</th><th>allocator</th><th>utilization</th><th>Mops/s</th><th>high-water KiB</th><th>peak live KiB</th><th>valid</th><th>first error</th></tr></thead>
<tbody>${rows}</tbody></table>
${gc}
${sections.join('\n')}
</body></html>
`;
  return { html, records, series: allSeries };
}
