/**
 * charts.ts — the report's plots, drawn with Observable Plot into a lightweight DOM (linkedom) and
 * returned as static SVG/HTML strings. Exports `heapChart`, `fragmentationChart`, `barChart`, `histogramChart`.
 *
 * No browser: Plot builds its SVG against linkedom's `document`, and the markup is embedded inline, so
 * the report opens offline with no scripts and no fetches.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { Series } from './series.js';

let doc: Document | null = null;
function document(): Document {
  if (!doc) doc = parseHTML('<!doctype html><html><body></body></html>').document as unknown as Document;
  return doc;
}

function render(opts: Plot.PlotOptions): string {
  const el = Plot.plot({ ...opts, document: document() }) as unknown as { outerHTML: string };
  return el.outerHTML;
}

const COMMON = { width: 620, height: 220, marginLeft: 56, style: { fontSize: '11px', background: 'transparent' } } as const;

/** Heap bytes (solid, per allocator) and live requested bytes (grey area: the trace's own need) over the ops. */
export function heapChart(series: Series[]): string {
  const rows = series.flatMap((s) => s.points.map((p) => ({ op: p.op, heap: p.heapBytes, allocator: s.allocator })));
  const live = (series[0]?.points ?? []).map((p) => ({ op: p.op, live: p.liveRequested }));
  return render({
    ...COMMON,
    x: { label: 'op', grid: true },
    y: { label: 'bytes', grid: true, tickFormat: 's' },
    color: { legend: true, scheme: 'tableau10', domain: series.map((s) => s.allocator) },
    marks: [
      Plot.areaY(live, { x: 'op', y: 'live', fill: '#cbd5e1', fillOpacity: 0.7 }),
      Plot.lineY(rows, { x: 'op', y: 'heap', stroke: 'allocator', strokeWidth: 1.6 }),
      Plot.ruleY([0]),
    ],
  });
}

/** External fragmentation (1 − largest free ÷ free bytes) over the ops, one line per allocator. */
export function fragmentationChart(series: Series[]): string {
  const rows = series.flatMap((s) => s.points.map((p) => ({ op: p.op, frag: p.fragmentation, allocator: s.allocator })));
  return render({
    ...COMMON,
    x: { label: 'op', grid: true },
    y: { label: 'fragmentation (%)', domain: [0, 100], percent: true, grid: true },
    color: { legend: true, scheme: 'tableau10', domain: series.map((s) => s.allocator) },
    marks: [Plot.lineY(rows, { x: 'op', y: 'frag', stroke: 'allocator', strokeWidth: 1.3 }), Plot.ruleY([0])],
  });
}

/**
 * Grouped bars: one group per trace, one bar per allocator. `percent` shows 0..1 values as %;
 * `log` draws on a log scale (bars start at a tenth of the smallest value), for figures spanning decades.
 */
export function barChart(rows: { trace: string; allocator: string; value: number }[], label: string, scale: 'percent' | 'linear' | 'log' = 'linear'): string {
  const traces = [...new Set(rows.map((r) => r.trace))];
  const allocators = [...new Set(rows.map((r) => r.allocator))];
  const floor = scale === 'log' ? Math.min(...rows.map((r) => r.value).filter((v) => v > 0)) / 10 : 0;
  const y =
    scale === 'percent'
      ? { label, grid: true, percent: true, domain: [0, 100] }
      : scale === 'log'
        ? { label, grid: true, type: 'log' as const, tickFormat: '~s' }
        : { label, grid: true, tickFormat: 's' };
  return render({
    width: Math.max(620, traces.length * (allocators.length * 16 + 24) + 80),
    height: 240,
    marginLeft: 56,
    marginBottom: 70,
    style: { fontSize: '11px', background: 'transparent' },
    fx: { label: null, domain: traces, tickRotate: -30 },
    x: { axis: null, domain: allocators },
    y,
    color: { legend: true, scheme: 'tableau10', domain: allocators },
    marks: [
      scale === 'log'
        ? Plot.barY(rows, { fx: 'trace', x: 'allocator', y1: floor, y2: 'value', fill: 'allocator' })
        : Plot.barY(rows, { fx: 'trace', x: 'allocator', y: 'value', fill: 'allocator' }),
      ...(scale === 'log' ? [] : [Plot.ruleY([0])]),
    ],
  });
}

/** A histogram of `values` (e.g. GC pauses in ms) per `group`. */
export function histogramChart(rows: { group: string; value: number }[], label: string): string {
  return render({
    ...COMMON,
    x: { label, grid: true },
    y: { label: 'count', grid: true },
    color: { legend: true, scheme: 'tableau10' },
    marks: [Plot.rectY(rows, Plot.binX<Plot.RectYOptions>({ y: 'count' }, { x: 'value', fill: 'group', fillOpacity: 0.7 })), Plot.ruleY([0])],
  });
}
