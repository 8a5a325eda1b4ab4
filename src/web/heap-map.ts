/**
 * heap-map.ts — draws a heap's blocks as an address map: rows of equal byte ranges, blocks coloured by use.
 * Exports `chooseScale`, `drawHeapMap`, `addrPoint`, `MapScale`, `CANVAS_THRESHOLD`, `MAP_ROW_H`.
 *
 * ```
 *  0x0040 │hdr│ requested ·····│pad│hdr│ free ···························│ftr│hdr│ req …
 *  0x0440 │… req ····│pad│hdr│ requested ·························│pad│ (beyond break: blank)
 * ```
 * Bytes between the heap's base and its first block (the allocator's control block) are drawn in grey,
 * not as a block. Up to CANVAS_THRESHOLD blocks are SVG groups, one per block, each carrying `data-block` = its address
 * (hex) so tests and tools can read what is shown; beyond that the map is one canvas carrying
 * `data-blocks` = the count.
 */
import type { DrawnBlock } from '../report/stepper.js';

/** Blocks above which the map is drawn on a canvas. */
export const CANVAS_THRESHOLD = 4000;

/** How addresses map to the drawing. */
export interface MapScale {
  base: number;
  end: number;
  bytesPerRow: number;
  rows: number;
  /** Pixels of the byte area (labels excluded). */
  width: number;
}

const LABEL = 64;
const ROW_H = 15;
/** Height of one row of the map in pixels (overlays align to it). */
export const MAP_ROW_H = ROW_H;
const GAP = 3;

/** A scale that fits `[base, end)` in at most `maxRows` rows of a multiple of 256 bytes each. */
export function chooseScale(base: number, end: number, width: number, maxRows = 16): MapScale {
  const span = Math.max(1, end - base);
  const bpr = Math.max(256, Math.ceil(span / maxRows / 256) * 256);
  return { base, end, bytesPerRow: bpr, rows: Math.max(1, Math.ceil(span / bpr)), width: Math.max(100, width - LABEL) };
}

type Part = [start: number, end: number, cls: string];

function parts(b: DrawnBlock): Part[] {
  const end = b.addr + b.size;
  const out: Part[] = [];
  if (b.header > 0) out.push([b.addr, b.addr + b.header, 'hdr']);
  const body = b.addr + b.header;
  const bodyEnd = end - b.footer;
  if (b.state === 'allocated') {
    const req = Math.min(bodyEnd, body + b.requested);
    if (req > body) out.push([body, req, 'req']);
    if (bodyEnd > req) out.push([req, bodyEnd, 'pad']);
  } else out.push([body, bodyEnd, b.state === 'free' ? 'free' : 'unk']);
  if (b.footer > 0) out.push([bodyEnd, end, 'ftr']);
  return out;
}

const FILL: Record<string, string> = {
  hdr: '#334155',
  ftr: '#334155',
  req: '#2563eb',
  pad: '#93c5fd',
  free: '#bbf7d0',
  unk: '#e5e7eb',
  hcb: '#a8a29e',
};

/** Calls `fn(x, y, w)` for each row piece of `[s, e)`. */
function pieces(s: number, e: number, sc: MapScale, fn: (x: number, y: number, w: number) => void): void {
  const k = sc.width / sc.bytesPerRow;
  let a = s;
  while (a < e) {
    const row = Math.floor((a - sc.base) / sc.bytesPerRow);
    const rowEnd = sc.base + (row + 1) * sc.bytesPerRow;
    const b = Math.min(e, rowEnd);
    fn(LABEL + (a - sc.base - row * sc.bytesPerRow) * k, row * (ROW_H + GAP), Math.max(0.6, (b - a) * k));
    a = b;
  }
}

/** Where address `a` is drawn: x of that byte, y of the top of its row (map pixels). */
export function addrPoint(a: number, sc: MapScale): { x: number; y: number } {
  const row = Math.max(0, Math.floor((a - sc.base) / sc.bytesPerRow));
  return { x: LABEL + (a - sc.base - row * sc.bytesPerRow) * (sc.width / sc.bytesPerRow), y: row * (ROW_H + GAP) };
}

const hex = (n: number): string => '0x' + n.toString(16).padStart(6, '0');

/**
 * Draws `blocks` into `el` (replacing what it held). `onHover(i)` gets the index of the block under
 * the pointer, or -1 when it leaves the map.
 */
export function drawHeapMap(el: HTMLElement, blocks: DrawnBlock[], sc: MapScale, onHover: (i: number, ev: MouseEvent) => void): void {
  const h = sc.rows * (ROW_H + GAP);
  const w = LABEL + sc.width;
  const labels: string[] = [];
  for (let r = 0; r < sc.rows; r++) {
    labels.push(`<text x="${LABEL - 6}" y="${r * (ROW_H + GAP) + 11}" text-anchor="end">${hex(sc.base + r * sc.bytesPerRow)}</text>`);
  }
  // the heap's control block (allocator metadata: list heads, bitmaps) below the first block: drawn, not a block
  const first = blocks.length > 0 ? blocks[0]!.addr : sc.base;
  let meta = '';
  if (first > sc.base) pieces(sc.base, first, sc, (x, y, pw) => (meta += `<rect class="hcb" x="${x.toFixed(2)}" y="${y}" width="${pw.toFixed(2)}" height="${ROW_H}"><title>heap control block: allocator metadata, ${first - sc.base} B</title></rect>`));
  if (blocks.length <= CANVAS_THRESHOLD) {
    const gs: string[] = [];
    for (let i = 0; i < blocks.length; i++) {
      const b = blocks[i]!;
      let rects = '';
      for (const [s, e, cls] of parts(b)) {
        pieces(s, e, sc, (x, y, pw) => {
          rects += `<rect class="${cls}" x="${x.toFixed(2)}" y="${y}" width="${pw.toFixed(2)}" height="${ROW_H}"/>`;
        });
      }
      // block boundary tick
      pieces(b.addr, b.addr + 1, sc, (x, y) => {
        rects += `<rect class="edge" x="${x.toFixed(2)}" y="${y}" width="0.8" height="${ROW_H}"/>`;
      });
      gs.push(`<g data-block="${hex(b.addr)}" data-i="${i}" class="blk ${b.state}">${rects}</g>`);
    }
    el.innerHTML =
      `<svg class="heapmap" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="heap map, ${blocks.length} blocks">` +
      `<g class="labels">${labels.join('')}</g><g class="meta">${meta}</g>${gs.join('')}</svg>`;
    const svg = el.firstElementChild as SVGSVGElement;
    svg.addEventListener('mousemove', (ev) => {
      const g = (ev.target as Element).closest('[data-i]');
      onHover(g ? Number(g.getAttribute('data-i')) : -1, ev);
    });
    svg.addEventListener('mouseleave', (ev) => onHover(-1, ev));
    return;
  }
  const dpr = globalThis.devicePixelRatio || 1;
  el.innerHTML = '';
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(w * dpr);
  canvas.height = Math.ceil(h * dpr);
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  canvas.className = 'heapmap';
  canvas.setAttribute('data-blocks', String(blocks.length));
  const ctx = canvas.getContext('2d')!;
  ctx.scale(dpr, dpr);
  ctx.font = '10px ui-monospace, monospace';
  ctx.fillStyle = '#64748b';
  ctx.textAlign = 'right';
  for (let r = 0; r < sc.rows; r++) ctx.fillText(hex(sc.base + r * sc.bytesPerRow), LABEL - 6, r * (ROW_H + GAP) + 12);
  ctx.fillStyle = FILL.hcb!;
  pieces(sc.base, first, sc, (x, y, pw) => ctx.fillRect(x, y, pw, ROW_H));
  for (const b of blocks) {
    for (const [s, e, cls] of parts(b)) {
      ctx.fillStyle = FILL[cls]!;
      pieces(s, e, sc, (x, y, pw) => ctx.fillRect(x, y, pw, ROW_H));
    }
  }
  el.appendChild(canvas);
  canvas.addEventListener('mousemove', (ev) => {
    const r = canvas.getBoundingClientRect();
    const row = Math.floor((ev.clientY - r.top) / (ROW_H + GAP));
    const x = ev.clientX - r.left - LABEL;
    const addr = sc.base + row * sc.bytesPerRow + (x / sc.width) * sc.bytesPerRow;
    let lo = 0;
    let hi = blocks.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const b = blocks[mid]!;
      if (addr < b.addr) hi = mid - 1;
      else if (addr >= b.addr + b.size) lo = mid + 1;
      else {
        found = mid;
        break;
      }
    }
    onHover(x < 0 ? -1 : found, ev);
  });
  canvas.addEventListener('mouseleave', (ev) => onHover(-1, ev));
}
