/**
 * index-view.ts — draws an allocator's free-block index next to its heap map: list links, one row per size class,
 * the AVL tree, the next-fit rover. Exports `drawFreeIndex`, `drawIndexOverlay`, `drawSizeClasses`, `MAX_CHIPS`.
 *
 * Reads the heap's own picture of its index (`freeIndexView()`, see alloc/index/free-index.ts), so what is drawn is
 * the index's real link order, not a regrouping of the walk:
 * ```
 *  list   free list (lifo)   [96]→[4080]→[32]→[128] … +51          one chip per free block, in link order
 *  lists  64–79 B            [64]→[64]                            one row per non-empty size class
 *  tree          ┌──[512]──┐                                        AVL nodes by size (in-order x, depth y)
 *             [96]         [4096]
 * ```
 * Elements carry data attributes tests read: rows `data-list` (+ `data-count`), chips `data-free` (block address,
 * hex) and `data-pos`, tree nodes `data-node` (+ `data-left`/`data-right`), tree edges `data-edge`, map links
 * `data-link`, the rover `data-rover`.
 */
import type { FreeIndexView } from '../alloc/index/free-index.js';
import { addrPoint, MAP_ROW_H, type MapScale } from './heap-map.js';

/** Chips drawn per list row (the rest are counted in a “+N” tail). */
export const MAX_CHIPS = 40;
/** Links drawn on the map for the selected list. */
const MAX_LINKS = 400;

const hex = (n: number): string => '0x' + n.toString(16).padStart(6, '0');
const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const short = (n: number): string => (n < 10000 ? String(n) : n < 1048576 ? `${Math.round(n / 1024)}K` : `${(n / 1048576).toFixed(1)}M`);

/** What the index panel needs besides the view. */
export interface IndexDrawing {
  /** Size in bytes of the block at `addr` (from the walk). */
  sizeOf(addr: number): number;
  /** Index of the list whose links are drawn on the map. */
  selected: number;
  /** Called when a list row is clicked. */
  onSelect(i: number): void;
  /** Called with a block address when a chip or node is hovered (0 when the pointer leaves). */
  onHover(addr: number): void;
  /** Pixel width available. */
  width: number;
}

function kindText(v: FreeIndexView): string {
  if (v.kind === 'implicit') return 'implicit list (the allocator walks every block)';
  if (v.kind === 'list') return 'explicit free list';
  if (v.kind === 'lists') return `segregated lists · ${v.lists?.length ?? 0} non-empty classes`;
  return `size-ordered AVL tree · ${v.nodes?.length ?? 0} nodes`;
}

/** Draws `v` into `el` (replacing it). */
export function drawFreeIndex(el: HTMLElement, v: FreeIndexView, d: IndexDrawing): void {
  const rover = v.rover ?? 0;
  const total = v.kind === 'tree' ? (v.nodes?.length ?? 0) : (v.lists ?? []).reduce((s, l) => s + l.blocks.length, 0);
  let html =
    `<div class="index-title" data-kind="${v.kind}">free index: <b>${kindText(v)}</b>` +
    (v.kind !== 'implicit' ? ` · ${total} free blocks` : '') +
    (rover ? ` · <span class="rover-note" data-rover-note="${hex(rover)}">▼ next-fit rover at <code>${hex(rover)}</code></span>` : '') +
    (v.kind === 'list' || v.kind === 'lists' ? ' <span class="hint">(click a row: its links are drawn on the map; l / L)</span>' : '') +
    '</div>';
  if (v.kind === 'list' || v.kind === 'lists') {
    const lists = v.lists ?? [];
    if (lists.length === 0) html += '<div class="none">no free blocks</div>';
    html += '<div class="fl-rows">';
    lists.forEach((l, i) => {
      const chips = l.blocks
        .slice(0, MAX_CHIPS)
        .map((b, k) => `<span class="chip" data-free="${hex(b)}" data-pos="${k}" title="free block ${hex(b)}, ${d.sizeOf(b)} B (link ${k})">${short(d.sizeOf(b))}</span>`)
        .join('');
      const more = l.blocks.length > MAX_CHIPS ? `<span class="more">+${l.blocks.length - MAX_CHIPS}</span>` : '';
      html +=
        `<div class="fl-row${i === d.selected ? ' sel' : ''}" data-list="${i}" data-count="${l.blocks.length}">` +
        `<span class="fl-label" title="${esc(l.label)}">${esc(l.label)}</span><span class="fl-chain"><i class="head">head</i>${chips}${more}</span>` +
        `<b class="fl-n">${l.blocks.length}</b></div>`;
    });
    html += '</div>';
  } else if (v.kind === 'tree') {
    html += drawTree(v, d);
  }
  el.innerHTML = html;
  el.onclick = (ev) => {
    const row = (ev.target as Element).closest('[data-list]');
    if (row) d.onSelect(Number(row.getAttribute('data-list')));
  };
  el.onmouseover = (ev) => {
    const t = (ev.target as Element).closest('[data-free],[data-node]');
    d.onHover(t ? parseInt((t.getAttribute('data-free') ?? t.getAttribute('data-node'))!, 16) : 0);
  };
  el.onmouseleave = () => d.onHover(0);
}

/** The AVL tree as SVG: x = in-order rank, y = depth; nodes labelled with their size when there is room. */
function drawTree(v: FreeIndexView, d: IndexDrawing): string {
  const nodes = v.nodes ?? [];
  const root = v.root ?? 0;
  if (nodes.length === 0 || root === 0) return '<div class="none">empty tree</div>';
  const byBlock = new Map(nodes.map((n) => [n.block, n]));
  const pos = new Map<number, { i: number; depth: number }>();
  const stack: [number, number][] = [];
  let cur = root;
  let depth = 0;
  let maxDepth = 0;
  let i = 0;
  while (cur !== 0 || stack.length > 0) {
    while (cur !== 0 && byBlock.has(cur)) {
      stack.push([cur, depth]);
      cur = byBlock.get(cur)!.left;
      depth++;
    }
    const [n, nd] = stack.pop()!;
    pos.set(n, { i: i++, depth: nd });
    if (nd > maxDepth) maxDepth = nd;
    cur = byBlock.get(n)!.right;
    depth = nd + 1;
  }
  const W = Math.max(200, d.width);
  const n = pos.size;
  const step = (W - 16) / n;
  const labels = step >= 30;
  const levelH = Math.max(12, Math.min(30, 190 / (maxDepth + 1)));
  const H = Math.ceil((maxDepth + 1) * levelH + 12);
  const xy = (b: number): [number, number] => {
    const p = pos.get(b)!;
    return [8 + (p.i + 0.5) * step, 9 + p.depth * levelH];
  };
  let edges = '';
  let dots = '';
  for (const node of nodes) {
    if (!pos.has(node.block)) continue;
    const [x, y] = xy(node.block);
    for (const c of [node.left, node.right]) {
      if (c === 0 || !pos.has(c)) continue;
      const [cx, cy] = xy(c);
      edges += `<line data-edge="${hex(node.block)}-${hex(c)}" x1="${x.toFixed(1)}" y1="${y}" x2="${cx.toFixed(1)}" y2="${cy}"/>`;
    }
    const size = d.sizeOf(node.block);
    const attrs = `data-node="${hex(node.block)}" data-left="${hex(node.left)}" data-right="${hex(node.right)}"`;
    const title = `<title>free block ${hex(node.block)}, ${size} B${node.block === root ? ' (root)' : ''}</title>`;
    dots += labels
      ? `<g class="tn${node.block === root ? ' root' : ''}" ${attrs}>${title}<rect x="${(x - 14).toFixed(1)}" y="${y - 7}" width="28" height="14" rx="3"/><text x="${x.toFixed(1)}" y="${y + 3.5}">${short(size)}</text></g>`
      : `<g class="tn${node.block === root ? ' root' : ''}" ${attrs}>${title}<circle cx="${x.toFixed(1)}" cy="${y}" r="${node.block === root ? 4.5 : 3.2}"/></g>`;
  }
  return `<svg class="avl" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="AVL tree of free blocks, ${n} nodes"><g class="edges">${edges}</g>${dots}</svg>`;
}

/**
 * Draws on top of the heap map (`mapEl` holds the map): the selected list's links as arcs from block to block,
 * and the rover as a triangle. Replaces a previous overlay.
 */
export function drawIndexOverlay(mapEl: HTMLElement, v: FreeIndexView | null, sc: MapScale, selected: number, sizeOf: (addr: number) => number): void {
  mapEl.querySelector(':scope > svg.links')?.remove();
  if (v === null) return;
  const map = mapEl.querySelector<SVGElement | HTMLCanvasElement>('.heapmap');
  if (!map) return;
  const w = Number(map.getAttribute('width')) || map.clientWidth;
  const h = Number(map.getAttribute('height')) || map.clientHeight;
  let body = '';
  const centre = (b: number): { x: number; y: number } => {
    const s = sizeOf(b);
    const p = addrPoint(b + Math.min(s / 2, Math.max(0, sc.bytesPerRow - ((b - sc.base) % sc.bytesPerRow) - 1)), sc);
    return p;
  };
  const list = v.lists?.[selected];
  if (list && (v.kind === 'list' || v.kind === 'lists')) {
    const bs = list.blocks;
    for (let k = 0; k + 1 < bs.length && k < MAX_LINKS; k++) {
      const a = centre(bs[k]!);
      const b = centre(bs[k + 1]!);
      const dx = b.x - a.x;
      const bulge = 6 + Math.min(26, Math.abs(dx) * 0.12 + Math.abs(b.y - a.y) * 0.2);
      const cx = (a.x + b.x) / 2;
      const cy = Math.min(a.y, b.y) - bulge;
      body += `<path data-link="${hex(bs[k]!)}>${hex(bs[k + 1]!)}" d="M${a.x.toFixed(1)},${a.y + 2} Q${cx.toFixed(1)},${cy.toFixed(1)} ${b.x.toFixed(1)},${b.y + 2}" marker-end="url(#arrow)"/>`;
    }
    if (bs.length > 0) {
      const f = centre(bs[0]!);
      body += `<circle class="head" data-list-head="${hex(bs[0]!)}" cx="${f.x.toFixed(1)}" cy="${f.y + 2}" r="3"/>`;
    }
  }
  if (v.rover) {
    const r = addrPoint(v.rover, sc);
    body += `<path class="rover" data-rover="${hex(v.rover)}" d="M${(r.x - 5).toFixed(1)},${r.y - 8} L${(r.x + 5).toFixed(1)},${r.y - 8} L${r.x.toFixed(1)},${r.y + 1} Z"><title>next-fit rover: ${hex(v.rover)}</title></path>`;
  }
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('class', 'links');
  svg.setAttribute('width', String(w));
  svg.setAttribute('height', String(h + MAP_ROW_H));
  svg.innerHTML = `<defs><marker id="arrow" viewBox="0 0 6 6" refX="5" refY="3" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0,0 L6,3 L0,6 z"/></marker></defs>${body}`;
  mapEl.appendChild(svg);
}

/** The fallback for heaps without a free index view: the walk's free blocks by power-of-two size class. */
export function drawSizeClasses(el: HTMLElement, frees: number[]): void {
  const classes = new Map<number, number>();
  for (const size of frees) {
    const c = Math.max(4, Math.floor(Math.log2(size)));
    classes.set(c, (classes.get(c) ?? 0) + 1);
  }
  const max = Math.max(1, ...classes.values());
  const rows = [...classes.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([c, n]) => `<div class="cls"><span>${short(2 ** c)} B–</span><i style="width:${(n / max) * 100}%"></i><b>${n}</b></div>`)
    .join('');
  el.innerHTML =
    `<div class="index-title" data-kind="walk">free blocks by size class (${frees.length}) <span class="hint">(this heap exposes no free index; grouped from the walk)</span></div>` +
    `<div class="cls-grid">${rows || '<div class="none">no free blocks</div>'}</div>`;
}
