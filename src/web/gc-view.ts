/**
 * gc-view.ts — the collector view: the object graph and the heap map of a small managed heap, stepped through
 * allocation, cuts and collections (mark colours, sweep, Cheney copy with forwarding pointers, compaction,
 * generations and promotion), with a pause timeline. Exports `gcView`.
 *
 * ```
 *  roots   depth 1   depth 2 …          unreachable        │ caption · heap.stats() · pause timeline
 *  [r0]──▶ (1) ──▶ (4) ──▶ (9)          (12)⇄(13)         │
 *  [r1]──▶ (2)                                              │
 *  heap map: one row per space, objects at their addresses (same byte scale on every row)
 *  eden        │▮1│▮2│▮4│▯7│ …            forwarded husks ⇢ their copies in the survivor / old rows
 * ```
 * Elements carry `data-node` (graph, + `data-color`, `data-reachable`), `data-object` (heap map, + `data-addr`,
 * `data-space`, `data-color`), `data-forwarded` (old copies), `data-freed`, `data-pause`, `data-phase` on the view.
 * Below the heap map, the pause lab (`#lab`, gc-lab-view.ts) runs a workload on the incremental and concurrent
 * collectors in the page and shows their pause logs.
 * URL: `view=gc&c=<collector>&f=<frame>`. Keys: ←/→ frame, Shift ±10, PgUp/PgDn previous/next collection,
 * Home/End, Space play, `c` next collector, `?` help.
 */
import { collectorNames } from '../gc/index.js';
import { buildGcFrames, type GcFrame, type GcObj, type GcRun } from './gc-scenario.js';
import { mountPauseLab } from './gc-lab-view.js';
import type { View, ViewContext } from './view.js';

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const hex = (n: number): string => '0x' + n.toString(16).padStart(6, '0');

/** Ring colour of an object by the space it is in. */
function spaceHue(space: string): string {
  if (space === 'eden') return '#16a34a';
  if (space.startsWith('survivor')) return '#0891b2';
  if (space === 'old') return '#7c3aed';
  if (space === 'los') return '#b45309';
  if (space.endsWith('-1')) return '#db2777';
  return '#2563eb';
}

interface Pos {
  x: number;
  y: number;
}

/** Graph layout of a round: roots on the left, reachable objects by BFS depth, unreachable ones on the right. */
function layout(f: GcFrame, W: number, H: number): { pos: Map<number, Pos>; roots: Pos[]; garbageX: number } {
  const byId = new Map(f.objects.map((o) => [o.id, o]));
  const depth = new Map<number, number>();
  const order: number[] = [];
  for (const r of f.roots) if (r !== 0 && byId.has(r) && !depth.has(r)) (depth.set(r, 1), order.push(r));
  for (let i = 0; i < order.length; i++) {
    const o = byId.get(order[i]!)!;
    for (const c of o.refs) if (c > 0 && byId.has(c) && !depth.has(c)) (depth.set(c, depth.get(o.id)! + 1), order.push(c));
  }
  const garbage = f.objects.filter((o) => !depth.has(o.id)).map((o) => o.id);
  const maxD = Math.max(1, ...depth.values());
  const gCols = garbage.length === 0 ? 0 : garbage.length > 12 ? 2 : 1;
  const garbageW = gCols * 48 + (gCols ? 40 : 0);
  const colW = Math.min(128, (W - 70 - garbageW - 30) / maxD);
  const cols = new Map<number, number[]>();
  for (const id of order) cols.set(depth.get(id)!, [...(cols.get(depth.get(id)!) ?? []), id]);
  const pos = new Map<number, Pos>();
  const top = 34;
  for (const [d, ids] of cols) {
    const rowH = Math.min(38, (H - top - 14) / ids.length);
    ids.forEach((id, i) => pos.set(id, { x: 70 + (d - 0.5) * colW, y: top + rowH * (i + 0.5) + (d % 2) * Math.min(8, rowH / 3) }));
  }
  const garbageX = W - garbageW;
  const perCol = Math.ceil(garbage.length / Math.max(1, gCols));
  garbage.forEach((id, i) => {
    const c = Math.floor(i / perCol);
    const rowH = Math.min(38, (H - top - 14) / perCol);
    pos.set(id, { x: garbageX + 24 + c * 48, y: top + rowH * ((i % perCol) + 0.5) });
  });
  const roots = f.roots.map((_r, i) => ({ x: 22, y: top + 16 + i * 40 }));
  return { pos, roots, garbageX };
}

function nodeFill(c: GcObj['color']): [string, string] {
  return c === 'black' ? ['#111827', 'white'] : c === 'grey' ? ['#9ca3af', '#111827'] : ['#ffffff', '#111827'];
}

/** The object graph of frame `f` with the round's layout `L`. */
function drawGraph(f: GcFrame, L: ReturnType<typeof layout>, W: number, H: number, reachable: Set<number>): string {
  // the logical object: the current copy (not a forwarded husk); freed ones drawn as ghosts
  const cur = new Map<number, GcObj>();
  for (const o of f.objects) if (o.fwd === undefined || !cur.has(o.id)) if (o.fwd === undefined) cur.set(o.id, o);
  for (const o of f.objects) if (!cur.has(o.id)) cur.set(o.id, o);
  let edges = '';
  const edge = (a: Pos, b: Pos, cls: string, key: string): void => {
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    const ux = dx / len;
    const uy = dy / len;
    const sx = a.x + ux * 12;
    const sy = a.y + uy * 12;
    const ex = b.x - ux * 14;
    const ey = b.y - uy * 14;
    const bend = dx <= 0 ? 28 : 0;
    const mx = (sx + ex) / 2 - uy * bend;
    const my = (sy + ey) / 2 + ux * bend - (dx <= 0 ? 10 : 0);
    edges += `<path class="${cls}" data-edge="${key}" d="M${sx.toFixed(1)},${sy.toFixed(1)} Q${mx.toFixed(1)},${my.toFixed(1)} ${ex.toFixed(1)},${ey.toFixed(1)}" marker-end="url(#gc-arrow)"/>`;
  };
  f.roots.forEach((r, i) => {
    const p = L.pos.get(r);
    if (r !== 0 && p) edge({ x: L.roots[i]!.x + 4, y: L.roots[i]!.y }, p, 'root-edge', `r${i}-${r}`);
  });
  for (const o of cur.values()) {
    if (o.freed) continue;
    const a = L.pos.get(o.id);
    if (!a) continue;
    o.refs.forEach((c, k) => {
      const b = L.pos.get(c);
      if (c > 0 && b && !cur.get(c)?.freed) edge(a, b, 'ref', `${o.id}.${k}-${c}`);
    });
  }
  let nodes = '';
  for (const o of cur.values()) {
    const p = L.pos.get(o.id);
    if (!p) continue;
    const [fill, ink] = nodeFill(o.color);
    const focus = f.focus === o.id ? ' focus' : '';
    const wl = f.worklist?.includes(o.id) ? ' queued' : '';
    if (o.freed) {
      nodes += `<g class="gnode freed" data-freed="${o.id}"><circle cx="${p.x}" cy="${p.y}" r="11"/><text x="${p.x}" y="${p.y + 4}">${o.id}</text></g>`;
      continue;
    }
    nodes +=
      `<g class="gnode${focus}${wl}" data-node="${o.id}" data-color="${o.color}" data-reachable="${reachable.has(o.id) ? 1 : 0}" data-space="${o.space}">` +
      `<title>#${o.id} at ${hex(o.addr)} in ${o.space}, ${o.size} B · ${o.color}${o.age ? ` · age ${o.age}` : ''}${o.logged ? ' · in the remembered set' : ''}${reachable.has(o.id) ? '' : ' · unreachable'}</title>` +
      `<circle class="ring" cx="${p.x}" cy="${p.y}" r="13.5" stroke="${spaceHue(o.space)}"/>` +
      `<circle cx="${p.x}" cy="${p.y}" r="10.5" fill="${fill}"/>` +
      `<text x="${p.x}" y="${p.y + 4}" fill="${ink}">${o.id}</text>` +
      (o.logged ? `<text class="badge" x="${p.x + 12}" y="${p.y - 9}">R</text>` : '') +
      (o.age > 0 ? `<text class="age" x="${p.x + 12}" y="${p.y + 17}">${o.age}</text>` : '') +
      '</g>';
  }
  const roots = f.roots
    .map((r, i) => `<g class="root" data-root="${i}" data-root-to="${r}"><rect x="${L.roots[i]!.x - 16}" y="${L.roots[i]!.y - 10}" width="24" height="20" rx="3"/><text x="${L.roots[i]!.x - 4}" y="${L.roots[i]!.y + 4}">r${i}</text></g>`)
    .join('');
  const gLabel = `<text class="glabel" x="${L.garbageX}" y="18">unreachable</text><line class="gsep" x1="${L.garbageX - 6}" y1="8" x2="${L.garbageX - 6}" y2="${H - 6}"/>`;
  return (
    `<svg class="gcgraph" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="object graph">` +
    `<defs><marker id="gc-arrow" viewBox="0 0 6 6" refX="5" refY="3" markerWidth="5.5" markerHeight="5.5" orient="auto"><path d="M0,0 L6,3 L0,6 z"/></marker>` +
    `<marker id="gc-fwd" viewBox="0 0 6 6" refX="5" refY="3" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L6,3 L0,6 z"/></marker></defs>` +
    `<text class="glabel" x="8" y="18">roots</text>${gLabel}<g class="edges">${edges}</g>${roots}${nodes}</svg>`
  );
}

/** The heap map: one row per space, objects at their addresses, one byte scale for all rows. */
function drawHeap(run: GcRun, f: GcFrame, W: number): string {
  const LABEL = 150;
  const ROW = 34;
  const spaces = run.spaces;
  const maxExt = Math.max(...spaces.map((s) => s.extent));
  const k = (W - LABEL - 12) / maxExt;
  const rowOf = new Map(spaces.map((s, i) => [s.name, i]));
  const H = spaces.length * ROW + 8;
  let body = '';
  spaces.forEach((s, i) => {
    const y = i * ROW + 4;
    const used = f.objects.filter((o) => o.space === s.name && !o.freed);
    body +=
      `<text class="sname" x="4" y="${y + 13}">${esc(s.name)} <tspan class="srange">${used.length} obj</tspan></text><text class="srange" x="4" y="${y + 24}">${hex(s.from)} · ${s.extent} B shown</text>` +
      `<rect class="sbar" x="${LABEL}" y="${y + 2}" width="${(s.extent * k).toFixed(1)}" height="${ROW - 8}"/>`;
  });
  let objs = '';
  let arrows = '';
  const place = (o: GcObj): { x: number; y: number; w: number } | null => {
    const s = spaces[rowOf.get(o.space) ?? -1];
    if (!s) return null;
    return { x: LABEL + (o.addr - s.from) * k, y: rowOf.get(o.space)! * ROW + 6, w: Math.max(2, o.size * k - 1) };
  };
  for (const o of f.objects) {
    const p = place(o);
    if (!p) continue;
    const label = p.w >= 13 ? `<text x="${(p.x + p.w / 2).toFixed(1)}" y="${p.y + 13}">${o.id}</text>` : '';
    const title = `<title>#${o.id} at ${hex(o.addr)} (${o.space}), ${o.size} B${o.fwd !== undefined ? ` — forwarded to ${hex(o.fwd)}` : ''}${o.freed ? ' — freed' : ''}</title>`;
    if (o.fwd !== undefined) {
      objs += `<g class="hobj fwd" data-forwarded="${o.id}" data-addr="${hex(o.addr)}">${title}<rect x="${p.x.toFixed(1)}" y="${p.y}" width="${p.w.toFixed(1)}" height="${ROW - 12}"/>${label}</g>`;
      const c = f.objects.find((x) => x.id === o.id && x.fwd === undefined && x.addr === o.fwd);
      const q = c ? place(c) : null;
      if (q) arrows += fwdArrow(p, q, ROW, `${o.id}`);
      continue;
    }
    if (o.freed) {
      objs += `<g class="hobj freed" data-freed="${o.id}">${title}<rect x="${p.x.toFixed(1)}" y="${p.y}" width="${p.w.toFixed(1)}" height="${ROW - 12}"/></g>`;
      continue;
    }
    const [fill, ink] = nodeFill(o.color);
    objs +=
      `<g class="hobj${f.focus === o.id ? ' focus' : ''}" data-object="${o.id}" data-addr="${hex(o.addr)}" data-space="${o.space}" data-color="${o.color}">${title}` +
      `<rect x="${p.x.toFixed(1)}" y="${p.y}" width="${p.w.toFixed(1)}" height="${ROW - 12}" fill="${fill}" stroke="${spaceHue(o.space)}"/>` +
      label.replace('<text ', `<text fill="${ink}" `) +
      '</g>';
    if (o.dest !== undefined) {
      const d = run.spaces.find((s) => o.dest! >= s.start && o.dest! < s.end);
      if (d) arrows += fwdArrow(p, { x: LABEL + (o.dest - d.from) * k, y: rowOf.get(d.name)! * ROW + 6, w: p.w }, ROW, `${o.id}`, 'dest');
    }
  }
  return `<svg class="gcheap" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="heap map by space">${body}${objs}<g class="fwd-arrows">${arrows}</g></svg>`;
}

function fwdArrow(p: { x: number; y: number; w: number }, q: { x: number; y: number; w: number }, ROW: number, id: string, cls = 'fwdp'): string {
  const sx = p.x + p.w / 2;
  const ex = q.x + q.w / 2;
  const sy = p.y + (q.y >= p.y ? ROW - 12 : 0);
  const ey = q.y + (q.y >= p.y ? 0 : ROW - 12);
  const same = Math.abs(q.y - p.y) < 1;
  const my = same ? p.y - 10 : (sy + ey) / 2;
  return `<path class="${cls}" data-fwd-arrow="${id}" d="M${sx.toFixed(1)},${same ? p.y : sy} C${sx.toFixed(1)},${my} ${ex.toFixed(1)},${my} ${ex.toFixed(1)},${same ? q.y : ey}" marker-end="url(#gc-fwd)"/>`;
}

/** The pause timeline: each collection at the bytes allocated when it ran, bar height = pause. */
function drawPauses(f: GcFrame, totalBytes: number, W: number): string {
  const H = 86;
  const ps = f.pauses;
  const maxMs = Math.max(0.05, ...ps.map((p) => p.ms));
  const x = (b: number): number => 34 + (b / Math.max(1, totalBytes)) * (W - 44);
  let bars = '';
  for (const [i, p] of ps.entries()) {
    const h = Math.max(2, (p.ms / maxMs) * (H - 34));
    bars += `<g class="pause ${p.major ? 'major' : 'minor'}" data-pause="${i}" data-ms="${p.ms}"><title>collection ${i + 1} (${p.major ? 'major' : 'minor'}): ${(p.ms * 1000).toFixed(0)} µs after ${p.atBytes} bytes allocated</title><rect x="${(x(p.atBytes) - 4).toFixed(1)}" y="${(H - 18 - h).toFixed(1)}" width="8" height="${h.toFixed(1)}"/><text x="${x(p.atBytes).toFixed(1)}" y="${(H - 21 - h).toFixed(1)}">${(p.ms * 1000).toFixed(0)}</text></g>`;
  }
  return (
    `<svg class="pauses" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="pause timeline">` +
    `<line x1="34" y1="${H - 18}" x2="${W - 6}" y2="${H - 18}"/><text class="ax" x="34" y="${H - 5}">0</text><text class="ax" x="${W - 6}" y="${H - 5}" text-anchor="end">${totalBytes} B allocated →</text>` +
    `<text class="ax" x="2" y="12">µs</text>${bars}</svg>`
  );
}

/** The collector view. */
export const gcView: View = {
  id: 'gc',
  title: 'Collectors',
  available: true,
  mount(root: HTMLElement, ctx: ViewContext): () => void {
    const names = collectorNames();
    let collector = names.includes(ctx.params.get('c') ?? '') ? ctx.params.get('c')! : names.includes('semispace') ? 'semispace' : names[0]!;
    let run!: GcRun;
    let frame = 0;
    let playing = false;
    let timer = 0;
    const layouts = new Map<number, ReturnType<typeof layout>>();
    root.innerHTML = `
      <section class="controls" aria-label="collector controls">
        <label>collector <select id="collector"></select></label>
        <span class="buttons">
          <button id="first" title="start (Home)">|◀</button>
          <button id="prevc" title="previous collection (PgUp)">«</button>
          <button id="back" title="step back (←)">‹</button>
          <button id="play" title="play / pause (Space)">▶</button>
          <button id="fwd" title="step forward (→)">›</button>
          <button id="nextc" title="next collection (PgDn)">»</button>
          <button id="last" title="end (End)">▶|</button>
        </span>
        <input id="scrub" type="range" min="0" value="0" aria-label="frame">
        <span id="pos" class="pos"></span>
      </section>
      <section class="gc-grid">
        <div class="pane gc-graph" id="graph"></div>
        <aside class="gc-side">
          <div class="pane gc-caption" id="caption"></div>
          <div class="pane gc-stats" id="stats"></div>
          <div class="pane"><div class="index-title">pause timeline (µs per collection)</div><div id="pauses"></div></div>
        </aside>
      </section>
      <section class="pane gc-heap" id="heap"></section>
      <section class="pane gc-lab" id="lab" aria-label="pause lab"></section>
      <footer class="legend">
        <span><i class="sw gc-white"></i>white (not reached)</span><span><i class="sw gc-grey"></i>grey (reached, not scanned)</span><span><i class="sw gc-black"></i>black (scanned)</span>
        <span><i class="sw gc-fwd"></i>forwarded (old copy ⇢ new)</span><span class="ringkey">ring = space: <b style="color:#16a34a">eden</b> <b style="color:#0891b2">survivor</b> <b style="color:#7c3aed">old</b></span><span>R remembered set · small digit = age</span>
        <span class="keys">keys: ←/→ step · Shift ±10 · PgUp/PgDn collection · Space play · c collector · ? help</span>
      </footer>
      <div id="help" class="help" hidden><h3>Keyboard</h3><table>
        <tr><td>← →</td><td>one frame back / forward</td></tr><tr><td>Shift + ← →</td><td>10 frames</td></tr>
        <tr><td>PgUp PgDn</td><td>previous / next collection</td></tr><tr><td>Home End</td><td>start / end</td></tr>
        <tr><td>Space</td><td>play / pause</td></tr><tr><td>c</td><td>next collector</td></tr><tr><td>?</td><td>this help</td></tr></table>
        <p>Mutator and “after collection” frames are snapshots of the real heap. The steps inside a collection are replayed from the snapshot taken before it (the collectors expose no per-step hook yet); where each survivor went is the real heap's.</p></div>`;
    const $ = <T extends HTMLElement>(id: string): T => root.querySelector<T>('#' + id)!;
    const sel = $<HTMLSelectElement>('collector');
    sel.innerHTML = names.map((n) => `<option value="${esc(n)}"${n === collector ? ' selected' : ''}>${esc(n)}</option>`).join('');
    const scrub = $<HTMLInputElement>('scrub');
    const unmountLab = mountPauseLab($('lab'));

    const load = (): boolean => {
      try {
        run = buildGcFrames(collector);
      } catch (e) {
        ctx.status(`collector ${collector}: ${(e as Error).message}`, true);
        return false;
      }
      layouts.clear();
      scrub.max = String(run.frames.length - 1);
      return true;
    };
    const layoutFor = (f: GcFrame, W: number, H: number): ReturnType<typeof layout> => {
      let L = layouts.get(f.round);
      if (!L) {
        // the round's last mutator frame (every object of the round exists, garbage already cut)
        const fs = run.frames.filter((x) => x.round === f.round && x.phase === 'mutator');
        L = layout(fs[fs.length - 1] ?? f, W, H);
        layouts.set(f.round, L);
      }
      return L;
    };

    const render = (): void => {
      const f = run.frames[frame]!;
      root.dataset.phase = f.phase;
      const gEl = $('graph');
      const W = Math.max(600, gEl.clientWidth - 20);
      const H = 350;
      const L = layoutFor(f, W, H);
      // reachability of the current objects (a plain traversal of the frame's snapshot)
      const byId = new Map(f.objects.filter((o) => o.fwd === undefined).map((o) => [o.id, o]));
      const reach = new Set<number>();
      const q = f.roots.filter((r) => r !== 0);
      for (const r of q) reach.add(r);
      for (let i = 0; i < q.length; i++) for (const c of byId.get(q[i]!)?.refs ?? []) if (c > 0 && !reach.has(c)) (reach.add(c), q.push(c));
      gEl.innerHTML = drawGraph(f, L, W, H, reach);
      const hEl = $('heap');
      hEl.innerHTML = `<div class="index-title">heap map — objects at their addresses, by space (one byte scale for every row)</div>` + drawHeap(run, f, Math.max(600, hEl.clientWidth - 20));
      const real = f.phase === 'mutator' || f.phase === 'after';
      const lastAfter = f.phase === 'after' && run.mismatch.length > 0 ? `<p class="warn">Replay vs heap: ${run.mismatch.map(esc).join('; ')} — the real heap (drawn here) is what counts; this collector's steps cannot be observed from outside.</p>` : '';
      $('caption').innerHTML =
        `<div class="index-title"><span class="phase ${f.phase}">${f.phase === 'after' ? 'after collection' : f.phase}</span> frame <b>${frame}</b> / ${run.frames.length - 1} · ${real ? 'snapshot of the real heap' : 'replayed from the snapshot before the collection'}</div>` +
        `<h3>${esc(f.title)}</h3><p>${esc(f.text)}</p>` +
        (f.worklist && f.worklist.length ? `<p class="wl">${f.phase === 'mark' ? 'mark stack (top last)' : 'copied, not yet scanned'}: ${f.worklist.map((x) => `<code>#${x}</code>`).join(' ')}</p>` : '') +
        lastAfter;
      const cols = { white: 0, grey: 0, black: 0 };
      for (const o of f.objects) if (o.fwd === undefined && !o.freed) cols[o.color]++;
      const s = f.stats;
      const fig = (k: string, v: string | number): string => `<tr><td>${k}</td><td>${v}</td></tr>`;
      $('stats').innerHTML =
        `<div class="index-title">${esc(run.collector)} <span class="hint">${esc(run.description)}</span></div><table>` +
        fig('objects in the heap', `<b data-count="objects">${byId.size}</b>`) +
        fig('reachable from roots', `<b data-count="reachable">${[...reach].filter((x) => byId.has(x)).length}</b>`) +
        fig('white · grey · black', `${cols.white} · ${cols.grey} · ${cols.black}`) +
        (s
          ? fig('collections', s.collections) + fig('bytes in use', s.usedBytes) + fig('bytes copied · promoted · freed', `${s.bytesCopied} · ${s.bytesPromoted} · ${s.bytesFreed}`) + fig('total pause (stats)', `${(s.totalPauseMs * 1000).toFixed(0)} µs`)
          : fig('heap.stats()', '<span class="hint">during the collection</span>')) +
        '</table>';
      const total = run.frames[run.frames.length - 1]!.pauses.reduce((m, p) => Math.max(m, p.atBytes), 0) * 1.08 + 64;
      $('pauses').innerHTML = drawPauses(f, Math.round(total), Math.max(260, $('pauses').clientWidth || 320));
      $('pos').innerHTML = `frame <b>${frame}</b> / ${run.frames.length - 1}`;
      scrub.value = String(frame);
      $('play').textContent = playing ? '||' : '▶';
      ctx.setParams({ c: collector, f: String(frame) });
    };
    const go = (n: number): void => {
      frame = Math.max(0, Math.min(run.frames.length - 1, Math.floor(n)));
      render();
    };
    const collStarts = (): number[] => run.frames.flatMap((f, i) => (f.phase !== 'mutator' && f.phase !== 'after' && (i === 0 || run.frames[i - 1]!.phase === 'mutator') ? [i] : []));
    const nextColl = (d: 1 | -1): void => {
      const cs = collStarts();
      const t = d > 0 ? cs.find((i) => i > frame) : [...cs].reverse().find((i) => i < frame);
      go(t ?? (d > 0 ? run.frames.length - 1 : 0));
    };
    const stop = (): void => {
      playing = false;
      clearInterval(timer);
    };
    const togglePlay = (): void => {
      if (playing) {
        stop();
        render();
        return;
      }
      playing = true;
      if (frame >= run.frames.length - 1) frame = 0;
      timer = window.setInterval(() => (frame >= run.frames.length - 1 ? (stop(), render()) : go(frame + 1)), 450);
      render();
    };
    const setCollector = (c: string): void => {
      stop();
      const prev = collector;
      collector = c;
      sel.value = c;
      if (!load()) {
        collector = prev;
        sel.value = prev;
        load();
      }
      go(Math.min(frame, run.frames.length - 1));
    };
    sel.onchange = () => setCollector(sel.value);
    $('first').onclick = () => go(0);
    $('last').onclick = () => go(Infinity);
    $('back').onclick = () => go(frame - 1);
    $('fwd').onclick = () => go(frame + 1);
    $('prevc').onclick = () => nextColl(-1);
    $('nextc').onclick = () => nextColl(1);
    $('play').onclick = togglePlay;
    scrub.oninput = () => go(Number(scrub.value));
    const help = $('help');
    const onKey = (ev: KeyboardEvent): void => {
      if (ev.target instanceof HTMLSelectElement || (ev.target instanceof HTMLInputElement && ev.target.type !== 'range')) return;
      const k = ev.key;
      if (k === 'ArrowRight') go(frame + (ev.shiftKey ? 10 : 1));
      else if (k === 'ArrowLeft') go(frame - (ev.shiftKey ? 10 : 1));
      else if (k === 'PageDown') nextColl(1);
      else if (k === 'PageUp') nextColl(-1);
      else if (k === 'Home') go(0);
      else if (k === 'End') go(Infinity);
      else if (k === ' ') togglePlay();
      else if (k === 'c') setCollector(names[(names.indexOf(collector) + 1) % names.length]!);
      else if (k === '?') help.hidden = !help.hidden;
      else if (k === 'Escape') help.hidden = true;
      else return;
      ev.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    const onResize = (): void => {
      layouts.clear();
      render();
    };
    window.addEventListener('resize', onResize);
    if (!load()) {
      collector = names[0]!;
      load();
    }
    const f0 = Number(ctx.params.get('f'));
    go(ctx.params.has('f') && Number.isFinite(f0) ? f0 : run.frames.findIndex((f) => f.phase === 'copy' || f.phase === 'mark') + 3);
    return () => {
      stop();
      unmountLab();
      document.removeEventListener('keydown', onKey);
      window.removeEventListener('resize', onResize);
    };
  },
};
