/**
 * curves.ts — a figure over a trace's ops (utilization, fragmentation, heap size) for each allocator,
 * drawn with Observable Plot, with a cursor at the current step. Exports `drawCurves`, `CurveMetric`.
 */
import * as Plot from '@observablehq/plot';
import type { Series } from '../report/series.js';

/** Which figure of a series point to draw. */
export type CurveMetric = 'utilization' | 'fragmentation' | 'heapBytes';

const TITLE: Record<CurveMetric, string> = {
  utilization: 'utilization (peak live ÷ heap high-water)',
  fragmentation: 'external fragmentation (1 − largest free ÷ free)',
  heapBytes: 'heap bytes (solid) · live requested bytes (dashed)',
};

/** Draws one figure into `el`; returns a function that moves the cursor to op `op`. */
export function drawCurves(el: HTMLElement, series: Series[], metric: CurveMetric, width: number): (op: number) => void {
  const rows = series.flatMap((s) => s.points.map((p) => ({ op: p.op, v: p[metric], live: p.liveRequested, allocator: s.allocator })));
  const marks: Plot.Markish[] = [
    Plot.ruleY([0]),
    Plot.lineY(rows, { x: 'op', y: 'v', stroke: 'allocator', strokeWidth: 1.6 }),
  ];
  if (metric === 'heapBytes') marks.push(Plot.lineY(rows, { x: 'op', y: 'live', stroke: 'allocator', strokeDasharray: '3,3', strokeOpacity: 0.7 }));
  const fig = Plot.plot({
    width,
    height: 130,
    marginLeft: 52,
    style: { fontSize: '10px', background: 'transparent' },
    x: { label: 'op', grid: true },
    y: metric === 'heapBytes' ? { label: 'bytes', grid: true, tickFormat: 's' } : { label: '%', domain: [0, 100], grid: true, percent: true },
    color: { legend: true, scheme: 'tableau10', domain: series.map((s) => s.allocator) },
    marks,
  });
  el.innerHTML = `<div class="curve-title">${TITLE[metric]}</div>`;
  const holder = document.createElement('div');
  holder.className = 'curve-holder';
  holder.appendChild(fig);
  const cursor = document.createElement('div');
  cursor.className = 'cursor';
  holder.appendChild(cursor);
  el.appendChild(holder);
  const x = (fig as unknown as { scale(n: 'x'): { apply(v: number): number } }).scale('x');
  const svg = fig.tagName.toLowerCase() === 'svg' ? fig : fig.querySelector(':scope > svg');
  return (op: number) => {
    const hr = holder.getBoundingClientRect();
    const sr = svg ? (svg as SVGElement).getBoundingClientRect() : hr;
    const k = sr.width > 0 ? sr.width / width : 1; // the figure may be scaled down to fit
    cursor.style.left = `${sr.left - hr.left + x.apply(op) * k}px`;
    cursor.style.top = `${sr.top - hr.top + 20 * k}px`;
    cursor.style.height = `${(130 - 50) * k}px`;
  };
}
