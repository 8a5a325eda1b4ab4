/**
 * vm-view.ts — the virtual-memory view: processes' page tables pointing at physical frames, stepped through a
 * script (mmap, faults, a mapped file, shared memory, fork, copy-on-write, exit). Exports `vmView`, `frameState`.
 *
 * ```
 *   P1 page table                     physical frames                   P2 page table
 *   0x40000000 PR--CAD- ●───────╮    ┌frame 0 ×2┐┌frame 10┐    ╭───────● 0x40000000 PRW--AD-
 *   0x40001000 PRW--AD- ●──╮    ╰───▶│   cow    ││  free  │◀───╯
 *                          ╰────────▶┌frame 1 ×1┐ ...
 * ```
 * Lines are coloured by the PTE (blue private writable, orange copy-on-write, purple MAP_SHARED, grey read-only) and
 * frames by their use (free, private, COW-shared, shared, page cache). Elements carry `data-pte="pid:vpn"` (+
 * `data-frame-ref`, `data-flags`), `data-absent` (mapped, not present), `data-frame` (+ `data-state`, `data-refs`),
 * `data-map="pid:vpn>frame"`, `data-event` (this step's events). URL: `view=vm&step=N`. Keys: ←/→, Home/End,
 * Space play, `?` help.
 */
import type { Machine, PageInfo, Process, VmEvent } from '../vm/index.js';
import { runVmScenario, VM_PAGE, VM_STEPS, type VmScenario } from './vm-scenario.js';
import type { View, ViewContext } from './view.js';

const hex = (n: number, w = 8): string => '0x' + n.toString(16).padStart(w, '0');
const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** How a frame is used now. */
export type FrameState = 'free' | 'private' | 'cow' | 'shared' | 'cache';

/** A frame's state from physical memory's counts and the PTEs that map it. */
export function frameState(m: Machine, f: number, ptes: PageInfo[]): FrameState {
  if (m.phys.refs[f]! <= 0) return 'free';
  if (ptes.some((p) => p.shared)) return 'shared';
  if (ptes.length >= 2) return 'cow';
  if (m.phys.refs[f]! > ptes.length) return 'cache';
  return 'private';
}

const lineClass = (p: PageInfo): string => (p.shared ? 'shared' : p.cow ? 'cow' : p.writable ? 'private' : 'ro');

const ROW = 21;
const PROC_W = 284;
const FRAME_W = 168;
const FRAME_H = 19;
const FRAME_GAP = 4;

interface Row {
  y: number;
  kind: 'area' | 'pte' | 'absent';
  text: string;
  pte?: PageInfo;
  vpn?: number;
}

/** Draws the machine as SVG; returns the markup and its height. */
function drawMachine(sc: VmScenario, width: number): { svg: string; height: number } {
  const m = sc.machine;
  const procs = [...sc.procs.entries()];
  const tables = new Map<Process, PageInfo[]>(procs.map(([, p]) => [p, p.pageTable()]));
  const byFrame = new Map<number, PageInfo[]>();
  for (const t of tables.values()) for (const e of t) byFrame.set(e.frame, [...(byFrame.get(e.frame) ?? []), e]);
  const hotPages = new Set<string>();
  const hotFrames = new Set<number>();
  for (const e of sc.lastEvents) {
    if (e.kind === 'fault' || e.kind === 'cow-copy' || e.kind === 'cow-reuse' || e.kind === 'page-in') {
      hotPages.add(`${e.pid}:${Math.floor(e.address / VM_PAGE)}`);
      hotFrames.add(e.value);
    }
  }

  // frames: one column in the middle
  const rowsOfFrames = m.frames;
  const fx0 = Math.round(width / 2 - FRAME_W / 2);
  const fy0 = 26;
  const framePos = (f: number): { x: number; y: number } => ({ x: fx0, y: fy0 + f * (FRAME_H + FRAME_GAP) });
  let frames = `<text class="col-title" x="${width / 2}" y="16" text-anchor="middle">physical memory · ${m.frames} frames of ${VM_PAGE / 1024} KiB</text>`;
  for (let f = 0; f < m.frames; f++) {
    const { x, y } = framePos(f);
    const st = frameState(m, f, byFrame.get(f) ?? []);
    const refs = m.phys.refs[f]!;
    frames +=
      `<g class="frame ${st}${hotFrames.has(f) ? ' hot' : ''}" data-frame="${f}" data-state="${st}" data-refs="${refs}">` +
      `<title>frame ${f}: ${st}, ${refs} reference${refs === 1 ? '' : 's'} (${m.phys.maps[f]} page-table entr${m.phys.maps[f] === 1 ? 'y' : 'ies'})</title>` +
      `<rect x="${x}" y="${y}" width="${FRAME_W}" height="${FRAME_H}" rx="4"/>` +
      `<text x="${x + 7}" y="${y + 13.5}" class="fname">frame ${f}</text>` +
      `<text x="${x + FRAME_W - 7}" y="${y + 13.5}" class="fstate" text-anchor="end">${st === 'free' ? 'free' : `${st === 'cache' ? 'page cache' : st} · refs ${refs}`}</text></g>`;
  }
  const framesBottom = fy0 + rowsOfFrames * (FRAME_H + FRAME_GAP);

  // processes: alternately left and right of the frames, stacked on each side
  let procSvg = '';
  let lines = '';
  const sideY = [30, 30];
  procs.forEach(([name, p], i) => {
    const side = i % 2;
    const x = side === 0 ? 10 : width - PROC_W - 10;
    const y0 = sideY[side]!;
    const table = tables.get(p)!;
    const present = new Map(table.map((e) => [e.vpn, e]));
    const rows: Row[] = [];
    let y = y0 + 24;
    for (const a of p.maps()) {
      const pages = (a.end - a.start) / VM_PAGE;
      const label = `${hex(a.start)} · ${pages} page${pages === 1 ? '' : 's'} · ${a.prot} ${a.shared ? 'shared' : 'private'} ${a.object === null || a.object.startsWith('[') ? 'anon' : a.object}`;
      rows.push({ y, kind: 'area', text: label });
      y += ROW;
      for (let v = a.start / VM_PAGE; v < a.end / VM_PAGE; v++) {
        const e = present.get(v);
        rows.push(e ? { y, kind: 'pte', text: `${hex(e.address)}  ${e.flags}`, pte: e, vpn: v } : { y, kind: 'absent', text: `${hex(v * VM_PAGE)}  not present`, vpn: v });
        y += ROW;
      }
    }
    if (rows.length === 0) {
      rows.push({ y, kind: 'area', text: 'no areas mapped' });
      y += ROW;
    }
    const h = y - y0 + 4;
    sideY[side] = y0 + h + 14;
    const st = p.stats();
    procSvg +=
      `<g class="proc" data-pid="${p.pid}" data-name="${name}" data-resident="${st.residentPages}">` +
      `<rect class="pbox" x="${x}" y="${y0}" width="${PROC_W}" height="${h}" rx="6"/>` +
      `<text class="ptitle" x="${x + 8}" y="${y0 + 16}">${name} <tspan class="pid">pid ${p.pid}${p.ppid ? ` (child of ${p.ppid})` : ''} · ${st.residentPages} of ${st.mappedPages} pages resident</tspan></text>`;
    for (const r of rows) {
      if (r.kind === 'area') {
        procSvg += `<text class="area" x="${x + 8}" y="${r.y + 14}">${esc(r.text)}</text>`;
        continue;
      }
      const key = `${p.pid}:${r.vpn}`;
      const portX = side === 0 ? x + PROC_W - 8 : x + 8;
      if (r.kind === 'absent') {
        procSvg += `<g class="absent" data-absent="${key}"><rect x="${x + 16}" y="${r.y + 2}" width="${PROC_W - 32}" height="${ROW - 4}" rx="3"/><text x="${x + 22}" y="${r.y + 14}">${r.text}</text></g>`;
        continue;
      }
      const e = r.pte!;
      const cls = lineClass(e);
      procSvg +=
        `<g class="pte ${cls}${hotPages.has(key) ? ' hot' : ''}" data-pte="${key}" data-frame-ref="${e.frame}" data-flags="${e.flags}">` +
        `<title>page ${hex(e.address)} → frame ${e.frame}: ${e.flags} (${cls === 'cow' ? 'copy-on-write, read-only' : cls})</title>` +
        `<rect x="${x + 16}" y="${r.y + 2}" width="${PROC_W - 32}" height="${ROW - 4}" rx="3"/>` +
        `<text x="${x + 22}" y="${r.y + 14}">${r.text}</text><text class="fref" x="${x + PROC_W - 22}" y="${r.y + 14}" text-anchor="end">→ ${e.frame}</text>` +
        `<circle cx="${portX}" cy="${r.y + ROW / 2}" r="3"/></g>`;
      const fp = framePos(e.frame);
      const tx = side === 0 ? fp.x : fp.x + FRAME_W;
      const ty = fp.y + FRAME_H / 2;
      const k = Math.max(40, Math.abs(tx - portX) * 0.45);
      const c1 = side === 0 ? portX + k : portX - k;
      const c2 = side === 0 ? tx - k : tx + k;
      lines += `<path class="map ${cls}${hotPages.has(key) ? ' hot' : ''}" data-map="${key}>${e.frame}" d="M${portX},${r.y + ROW / 2} C${c1},${r.y + ROW / 2} ${c2},${ty} ${tx},${ty}" marker-end="url(#vm-arrow-${cls})"/>`;
    }
    procSvg += '</g>';
  });
  const height = Math.max(framesBottom, sideY[0]!, sideY[1]!) + 8;
  const markers = ['private', 'cow', 'shared', 'ro']
    .map((c) => `<marker id="vm-arrow-${c}" class="${c}" viewBox="0 0 6 6" refX="5.5" refY="3" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L6,3 L0,6 z"/></marker>`)
    .join('');
  const svg =
    `<svg class="vmmap" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="page tables and physical frames">` +
    `<defs>${markers}</defs><g class="lines">${lines}</g>${frames}${procSvg}</svg>`;
  return { svg, height };
}

function eventText(e: VmEvent): string {
  const a = hex(e.address);
  switch (e.kind) {
    case 'fault': return `pid ${e.pid}: page fault at ${a} → frame ${e.value}`;
    case 'page-in': return `pid ${e.pid}: page-in at ${a} (read from the object) → frame ${e.value}`;
    case 'cow-copy': return `pid ${e.pid}: COW fault at ${a}: frame copied → frame ${e.value}`;
    case 'cow-reuse': return `pid ${e.pid}: COW fault at ${a}: sole user of frame ${e.value}, made writable`;
    case 'fork': return `pid ${e.pid}: fork → child pid ${e.value}`;
    case 'exit': return `pid ${e.pid}: exit, ${e.value} frame${e.value === 1 ? '' : 's'} released`;
    case 'map': return `pid ${e.pid}: mmap ${a}, ${e.value} bytes`;
    default: return `pid ${e.pid}: ${e.kind} ${a} (${e.value})`;
  }
}

/** The virtual-memory view. */
export const vmView: View = {
  id: 'vm',
  title: 'Virtual memory',
  available: true,
  mount(root: HTMLElement, ctx: ViewContext): () => void {
    const N = VM_STEPS.length;
    let step = Math.max(0, Math.min(N, Math.floor(Number(ctx.params.get('step') ?? 6)) || 0));
    let playing = false;
    let timer = 0;
    root.innerHTML = `
      <section class="controls" aria-label="scenario controls">
        <span class="buttons">
          <button id="first" title="start (Home)">|◀</button>
          <button id="back" title="step back (←)">‹</button>
          <button id="play" title="play / pause (Space)">▶</button>
          <button id="fwd" title="step forward (→)">›</button>
          <button id="last" title="last step (End)">▶|</button>
        </span>
        <input id="scrub" type="range" min="0" max="${N}" value="0" aria-label="step">
        <span id="pos" class="pos"></span>
      </section>
      <section class="vm-grid">
        <div class="vm-stage pane" id="stage"></div>
        <aside class="vm-side">
          <div class="pane vm-caption" id="caption"></div>
          <div class="pane"><div class="index-title">script</div><ol class="vm-steps" id="steps"></ol></div>
          <div class="pane vm-stats" id="stats"></div>
        </aside>
      </section>
      <footer class="legend">
        <span><i class="sw vm-private"></i>private, writable</span><span><i class="sw vm-cow"></i>copy-on-write (shared read-only)</span>
        <span><i class="sw vm-shared"></i>MAP_SHARED</span><span><i class="sw vm-cache"></i>page cache (file)</span>
        <span><i class="sw vm-free"></i>free frame</span><span><i class="sw vm-hot"></i>touched by this step</span>
        <span class="keys">keys: ←/→ step · Home/End · Space play · ? help</span>
      </footer>
      <div id="help" class="help" hidden><h3>Keyboard</h3><table>
        <tr><td>← →</td><td>one step back / forward</td></tr><tr><td>Home End</td><td>start / end of the script</td></tr>
        <tr><td>Space</td><td>play / pause</td></tr><tr><td>?</td><td>this help</td></tr></table>
        <p>Every step replays the script on a fresh <code>createMachine()</code>: what is drawn is the library's page tables, frame counts and event log.</p></div>`;
    const $ = <T extends HTMLElement>(id: string): T => root.querySelector<T>('#' + id)!;
    const scrub = $<HTMLInputElement>('scrub');
    $('steps').innerHTML = VM_STEPS.map((s, i) => `<li data-step="${i + 1}">${esc(s.title)}</li>`).join('');

    const render = (): void => {
      const sc = runVmScenario(step);
      const stage = $('stage');
      const { svg } = drawMachine(sc, Math.max(760, stage.clientWidth - 20));
      stage.innerHTML = svg;
      const s = step > 0 ? VM_STEPS[step - 1]! : null;
      $('caption').innerHTML =
        `<div class="index-title">step <b>${step}</b> / ${N}</div><h3>${s ? esc(s.title) : 'a machine with 20 free frames'}</h3>` +
        `<p>${s ? esc(s.text) : 'Press → to start: spawn a process, map memory, touch it, fork, and write.'}</p>` +
        `<div class="vm-events">${sc.lastEvents.length ? sc.lastEvents.map((e) => `<div class="ev ${e.kind}" data-event="${e.kind}"><b>${e.kind}</b> ${esc(eventText(e))}</div>`).join('') : step > 0 ? '<div class="none">no event: no fault was needed</div>' : ''}</div>`;
      for (const li of $('steps').children) li.classList.toggle('cur', Number((li as HTMLElement).dataset.step) === step);
      const st = sc.machine.stats();
      const fig = (k: string, v: number | string): string => `<tr><td>${k}</td><td>${v}</td></tr>`;
      $('stats').innerHTML =
        `<div class="index-title">machine.stats()</div><table>` +
        fig('frames in use', `<b data-stat="framesInUse">${st.framesInUse}</b> / ${st.frames}`) +
        fig('frames shared', `<b data-stat="framesShared">${st.framesShared}</b>`) +
        fig('frames in page cache', st.framesCached) +
        fig('resident pages', `<b data-stat="residentPages">${st.residentPages}</b>`) +
        fig('faults (minor / major)', `${st.minorFaults} / ${st.majorFaults}`) +
        fig('COW faults: copies / reuses', `${st.cowFaults}: ${st.cowCopies} / ${st.cowReuses}`) +
        fig('processes · forks', `${st.processes} · ${st.forks}`) +
        '</table>';
      $('pos').innerHTML = `step <b>${step}</b> / ${N}${s ? ` · ${esc(s.title)}` : ''}`;
      scrub.value = String(step);
      $('play').textContent = playing ? '||' : '▶';
      ctx.setParams({ step: String(step) });
    };
    const go = (n: number): void => {
      step = Math.max(0, Math.min(N, n));
      render();
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
      if (step >= N) step = 0;
      timer = window.setInterval(() => {
        if (step >= N) {
          stop();
          render();
        } else go(step + 1);
      }, 1100);
      render();
    };
    $('first').onclick = () => go(0);
    $('last').onclick = () => go(N);
    $('back').onclick = () => go(step - 1);
    $('fwd').onclick = () => go(step + 1);
    $('play').onclick = togglePlay;
    scrub.oninput = () => go(Number(scrub.value));
    $('steps').onclick = (ev) => {
      const li = (ev.target as Element).closest('[data-step]');
      if (li) go(Number(li.getAttribute('data-step')));
    };
    const help = $('help');
    const onKey = (ev: KeyboardEvent): void => {
      if (ev.target instanceof HTMLSelectElement || (ev.target instanceof HTMLInputElement && ev.target.type !== 'range')) return;
      const k = ev.key;
      if (k === 'ArrowRight') go(step + 1);
      else if (k === 'ArrowLeft') go(step - 1);
      else if (k === 'Home') go(0);
      else if (k === 'End') go(N);
      else if (k === ' ') togglePlay();
      else if (k === '?') help.hidden = !help.hidden;
      else if (k === 'Escape') help.hidden = true;
      else return;
      ev.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    const onResize = (): void => render();
    window.addEventListener('resize', onResize);
    render();
    return () => {
      stop();
      document.removeEventListener('keydown', onKey);
      window.removeEventListener('resize', onResize);
    };
  },
};
