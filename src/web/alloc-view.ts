/**
 * alloc-view.ts — the allocator view: one trace stepped through one or two allocators side by side,
 * each heap drawn as an address map, with utilization / fragmentation / size curves. Exports `allocView`.
 *
 * URL parameters: `trace`, `a`, `b` (an allocator or `none`), `step`, `list` (the free list whose links are drawn).
 * Keys: ←/→ step, Shift+←/→ ±100, PgUp/PgDn ±1000, Home/End, Space play/pause, `[`/`]` speed, `x` swap the
 * allocators, `l`/`L` next/previous free list, `?` help.
 */
import { allocatorNames, createHeap, describeAllocator } from '../index.js';
import type { Allocator } from '../alloc/allocator.js';
import { HeapStepper, type DrawnBlock } from '../report/stepper.js';
import { fragmentation, sampleSeries, type Series } from '../report/series.js';
import { chooseScale, drawHeapMap, type MapScale } from './heap-map.js';
import { drawCurves } from './curves.js';
import { drawFreeIndex, drawIndexOverlay, drawSizeClasses } from './index-view.js';
import type { FreeIndexView } from '../alloc/index/free-index.js';
import { addUserTrace, DEFAULT_TRACE, loadTrace, traceNames } from './traces.js';
import type { View, ViewContext } from './view.js';

const SPEEDS = [1, 4, 16, 64, 256];

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const hex = (n: number): string => '0x' + n.toString(16).padStart(6, '0');
const kb = (n: number): string => (n < 10240 ? `${n} B` : n < 10 * 1048576 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`);
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

interface Pane {
  name: string;
  stepper: HeapStepper;
  blocks: DrawnBlock[];
  el: HTMLElement;
}

function makeHeapFor(name: string): () => Allocator {
  return () => createHeap({ allocator: name });
}

/** The allocator view. */
export const allocView: View = {
  id: 'alloc',
  title: 'Allocators',
  available: true,
  mount(root: HTMLElement, ctx: ViewContext): () => void {
    const names = allocatorNames;
    const q = ctx.params;
    let traceName = q.get('trace') ?? DEFAULT_TRACE;
    if (!loadTrace(traceName)) traceName = DEFAULT_TRACE;
    const pick = (v: string | null, d: string): string => (v && names.includes(v) ? v : d);
    let nameA = pick(q.get('a'), names.includes('explicit-lifo') ? 'explicit-lifo' : names[0]!);
    let nameB: string | null = q.get('b') === 'none' ? null : pick(q.get('b'), names.includes('tlsf') ? 'tlsf' : names[names.length - 1]!);
    let speed = 2;
    /** Which list of the free index has its links drawn on the map (URL `list`). */
    let listSel = Math.max(0, Math.floor(Number(q.get('list')) || 0));
    let playing = false;
    let timer = 0;

    root.innerHTML = `
      <section class="controls" aria-label="trace controls">
        <label>trace <select id="trace"></select></label>
        <label class="drop" title="drop a .rep or .rep.gz file here, or click to choose one">+ your trace<input id="file" type="file" accept=".rep,.gz"></label>
        <label>A <select id="allocA"></select></label>
        <label>B <select id="allocB"></select></label>
        <span class="buttons">
          <button id="first" title="first op (Home)">|◀</button>
          <button id="back" title="step back (←)">‹</button>
          <button id="play" title="play / pause (Space)">▶</button>
          <button id="fwd" title="step forward (→)">›</button>
          <button id="last" title="last op (End)">▶|</button>
          <button id="speed" title="ops per frame ([ and ])"></button>
        </span>
        <input id="scrub" type="range" min="0" value="0" aria-label="step">
        <span id="pos" class="pos"></span>
      </section>
      <section class="panes" id="panes"></section>
      <section class="curves" id="curves"></section>
      <footer class="legend">
        <span><i class="sw req"></i>requested</span><span><i class="sw pad"></i>padding</span>
        <span><i class="sw hdr"></i>header / footer</span><span><i class="sw free"></i>free</span>
        <span><i class="sw hcb"></i>control block (metadata)</span><span><i class="sw last"></i>last op's block</span>
        <span class="keys">keys: ←/→ step · Shift ±100 · PgUp/PgDn ±1000 · Home/End · Space play · [ ] speed · x swap · l list · ? help</span>
      </footer>
      <div id="tip" class="tip" hidden></div>
      <div id="help" class="help" hidden></div>`;
    const $ = <T extends HTMLElement>(id: string): T => root.querySelector<T>('#' + id)!;
    const traceSel = $<HTMLSelectElement>('trace');
    const selA = $<HTMLSelectElement>('allocA');
    const selB = $<HTMLSelectElement>('allocB');
    const scrub = $<HTMLInputElement>('scrub');
    const tip = $<HTMLDivElement>('tip');

    const fillSelect = (sel: HTMLSelectElement, opts: string[], value: string): void => {
      sel.innerHTML = opts.map((o) => `<option value="${esc(o)}"${o === value ? ' selected' : ''}>${esc(o)}</option>`).join('');
    };
    fillSelect(selA, names, nameA);
    fillSelect(selB, ['none', ...names], nameB ?? 'none');
    const refreshTraces = (): void => fillSelect(traceSel, traceNames(), traceName);
    refreshTraces();

    let panes: Pane[] = [];
    let series: Series[] = [];
    let cursors: ((op: number) => void)[] = [];
    let scale: MapScale | null = null;

    const build = (step: number): void => {
      const trace = loadTrace(traceName)!;
      const list = nameB ? [nameA, nameB] : [nameA];
      const panesEl = $('panes');
      panesEl.className = `panes n${list.length}`;
      panesEl.innerHTML = list
        .map(
          (n, i) => `<article class="pane" data-allocator="${esc(n)}" data-pane="${i ? 'B' : 'A'}">
            <h2><b>${i ? 'B' : 'A'}</b> ${esc(n)} <small>${esc(describeAllocator(n) ?? '')}</small></h2>
            <div class="figs"></div><div class="map"></div><div class="index"></div></article>`,
        )
        .join('');
      panes = list.map((n, i) => ({ name: n, stepper: new HeapStepper(trace, makeHeapFor(n)), blocks: [], el: panesEl.children[i] as HTMLElement }));
      series = list.map((n) => sampleSeries(trace, makeHeapFor(n), n, 240));
      scrub.max = String(trace.length);
      const curvesEl = $('curves');
      curvesEl.innerHTML = '<div class="curve"></div><div class="curve"></div><div class="curve"></div>';
      const w = Math.max(260, Math.floor((curvesEl.clientWidth || 1200) / 3) - 16);
      cursors = (['utilization', 'fragmentation', 'heapBytes'] as const).map((m, i) => drawCurves(curvesEl.children[i] as HTMLElement, series, m, w));
      go(step);
    };

    const render = (): void => {
      const trace = panes[0]!.stepper.trace;
      const pos = panes[0]!.stepper.pos;
      let base = Infinity;
      let end = 0;
      for (const p of panes) {
        p.blocks = p.stepper.blocks();
        base = Math.min(base, p.stepper.heap.memory.base);
        end = Math.max(end, p.stepper.heap.memory.brk, ...series.map((s) => s.points[s.points.length - 1]!.highWater + p.stepper.heap.memory.base));
      }
      const mapW = Math.max(300, Math.floor(($('panes').clientWidth || 1200) / panes.length) - 28);
      if (!scale || scale.end !== end || scale.width + 64 !== mapW) scale = chooseScale(base, end, mapW);
      const lastId = pos > 0 ? trace.id[pos - 1]! : -1;
      for (const p of panes) {
        const st = p.stepper;
        const s = st.heap.stats();
        const hw = Math.max(s.highWater, s.heapBytes);
        p.el.querySelector('.figs')!.innerHTML =
          `<span>heap <b>${kb(s.heapBytes)}</b></span><span>live <b>${kb(st.liveRequested)}</b> in <b>${st.liveBlocks()}</b> blocks</span>` +
          `<span>free <b>${kb(s.freeBytes)}</b> in <b>${s.freeBlocks}</b></span>` +
          `<span>util. <b>${hw > 0 ? pct(st.peakRequested / hw) : '—'}</b></span><span>frag. <b>${pct(fragmentation(s))}</b></span>` +
          (st.refused ? `<span class="warn">refused ${st.refused}</span>` : '');
        const mapEl = p.el.querySelector<HTMLElement>('.map')!;
        drawHeapMap(mapEl, p.blocks, scale!, (i, ev) => hover(p, i, ev));
        const lastP = lastId >= 0 ? st.pointerOf(lastId) : 0;
        if (lastP) {
          const i = p.blocks.findIndex((b) => b.addr < lastP && lastP < b.addr + b.size);
          mapEl.querySelector(`[data-i="${i}"]`)?.classList.add('last');
        }
        drawIndex(p);
      }
      $('pos').innerHTML = `op <b>${pos}</b> / ${trace.length}${pos > 0 ? ` · last <code>${esc(panes[0]!.stepper.opText(pos - 1))}</code>` : ''}`;
      scrub.value = String(pos);
      $('play').textContent = playing ? '||' : '▶';
      $('speed').textContent = `×${SPEEDS[speed]}`;
      for (const c of cursors) c(pos);
      ctx.setParams({ trace: traceName, a: nameA, b: nameB ?? 'none', step: String(pos), list: String(listSel) });
    };

    /** The heap's free-block index as the index itself links it (lists, classes, tree, rover); the walk's size classes otherwise. */
    const drawIndex = (p: Pane): void => {
      const el = p.el.querySelector<HTMLElement>('.index')!;
      const mapEl = p.el.querySelector<HTMLElement>('.map')!;
      const h = p.stepper.heap as Allocator & { freeIndexView?: () => FreeIndexView };
      if (typeof h.freeIndexView !== 'function') {
        drawSizeClasses(el, p.blocks.filter((b) => b.state === 'free').map((b) => b.size));
        drawIndexOverlay(mapEl, null, scale!, 0, () => 0);
        return;
      }
      const v = h.freeIndexView();
      const sizes = new Map(p.blocks.map((b) => [b.addr, b.size]));
      const sizeOf = (a: number): number => sizes.get(a) ?? 0;
      const nLists = v.lists?.length ?? 0;
      const sel = nLists > 0 ? Math.min(listSel, nLists - 1) : 0;
      const highlight = (a: number): void => {
        for (const g of mapEl.querySelectorAll('.hl')) g.classList.remove('hl');
        if (a !== 0) mapEl.querySelector(`[data-block="${hex(a)}"]`)?.classList.add('hl');
      };
      drawFreeIndex(el, v, {
        sizeOf,
        selected: sel,
        width: el.clientWidth || 500,
        onSelect: (i) => {
          listSel = i;
          render();
        },
        onHover: highlight,
      });
      drawIndexOverlay(mapEl, v, scale!, sel, sizeOf);
    };

    const hover = (p: Pane, i: number, ev: MouseEvent): void => {
      if (i < 0) {
        tip.hidden = true;
        return;
      }
      const b = p.blocks[i]!;
      let html = `<b>${b.state}</b> block at <code>${hex(b.addr)}</code>, ${b.size} B`;
      if (b.state === 'allocated') {
        html += `<br>payload <code>${hex(b.addr + b.header)}</code>`;
        if (b.id >= 0) {
          html += ` · id <b>${b.id}</b> · asked ${b.requested} B · padding ${b.size - b.header - b.footer - b.requested} B`;
          const h = p.stepper.history(b.id);
          html += `<br>history: ${h.map((e) => `<code>${e.kind}${e.kind === 'f' ? '' : ' ' + e.size}</code>@${e.op}`).join(' → ')}`;
        }
      } else if (b.state === 'free') html += `<br>header + footer ${b.header + b.footer} B · ${b.size - b.header - b.footer} B usable`;
      tip.innerHTML = html;
      tip.hidden = false;
      const x = Math.min(ev.clientX + 14, window.innerWidth - 380);
      tip.style.left = `${x}px`;
      tip.style.top = `${ev.clientY + 16}px`;
    };

    const go = (n: number): void => {
      for (const p of panes) p.stepper.seek(n);
      render();
    };
    const by = (d: number): void => go(panes[0]!.stepper.pos + d);
    const stop = (): void => {
      playing = false;
      cancelAnimationFrame(timer);
      render();
    };
    const frame = (): void => {
      if (!playing) return;
      const st = panes[0]!.stepper;
      if (st.pos >= st.trace.length) return stop();
      by(SPEEDS[speed]!);
      timer = requestAnimationFrame(frame);
    };
    const togglePlay = (): void => {
      if (playing) return stop();
      playing = true;
      timer = requestAnimationFrame(frame);
      render();
    };

    traceSel.onchange = () => {
      stop();
      traceName = traceSel.value;
      build(0);
    };
    selA.onchange = () => {
      nameA = selA.value;
      build(panes[0]!.stepper.pos);
    };
    selB.onchange = () => {
      nameB = selB.value === 'none' ? null : selB.value;
      build(panes[0]!.stepper.pos);
    };
    scrub.oninput = () => go(Number(scrub.value));
    $('first').onclick = () => go(0);
    $('last').onclick = () => go(Infinity);
    $('back').onclick = () => by(-1);
    $('fwd').onclick = () => by(1);
    $('play').onclick = togglePlay;
    $('speed').onclick = () => {
      speed = (speed + 1) % SPEEDS.length;
      render();
    };
    const useFile = async (f: File): Promise<void> => {
      try {
        traceName = await addUserTrace(f);
        refreshTraces();
        stop();
        build(0);
      } catch (e) {
        ctx.status(`could not read ${f.name}: ${(e as Error).message}`, true);
      }
    };
    $<HTMLInputElement>('file').onchange = (ev) => {
      const f = (ev.target as HTMLInputElement).files?.[0];
      if (f) void useFile(f);
    };
    const onDrop = (ev: DragEvent): void => {
      ev.preventDefault();
      const f = ev.dataTransfer?.files[0];
      if (f) void useFile(f);
    };
    const onDragOver = (ev: DragEvent): void => ev.preventDefault();
    const help = $('help');
    help.innerHTML = `<h3>Keyboard</h3><table>
      <tr><td>← →</td><td>one op back / forward</td></tr><tr><td>Shift + ← →</td><td>100 ops</td></tr>
      <tr><td>PgUp PgDn</td><td>1000 ops</td></tr><tr><td>Home End</td><td>first / last op</td></tr>
      <tr><td>Space</td><td>play / pause</td></tr><tr><td>[ ]</td><td>slower / faster</td></tr>
      <tr><td>x</td><td>swap A and B</td></tr><tr><td>l L</td><td>next / previous free list: its links are drawn on the map</td></tr><tr><td>?</td><td>this help</td></tr></table>
      <p>Drop a <code>.rep</code> / <code>.rep.gz</code> file anywhere to step through your own trace (record one with <code>heapkit record</code>).</p>`;
    const onKey = (ev: KeyboardEvent): void => {
      if (ev.target instanceof HTMLSelectElement || (ev.target instanceof HTMLInputElement && ev.target.type !== 'range')) return;
      const k = ev.key;
      const handled = true;
      if (k === 'ArrowRight') by(ev.shiftKey ? 100 : 1);
      else if (k === 'ArrowLeft') by(ev.shiftKey ? -100 : -1);
      else if (k === 'PageDown') by(1000);
      else if (k === 'PageUp') by(-1000);
      else if (k === 'Home') go(0);
      else if (k === 'End') go(Infinity);
      else if (k === ' ') togglePlay();
      else if (k === ']') (speed = Math.min(SPEEDS.length - 1, speed + 1)), render();
      else if (k === '[') (speed = Math.max(0, speed - 1)), render();
      else if (k === 'l' || k === 'L') {
        const n = Math.max(...panes.map((p) => ((p.stepper.heap as { freeIndexView?: () => FreeIndexView }).freeIndexView?.().lists?.length ?? 1)));
        listSel = (listSel + (k === 'l' ? 1 : n - 1)) % Math.max(1, n);
        render();
      } else if (k === 'x' && nameB) {
        [nameA, nameB] = [nameB, nameA];
        selA.value = nameA;
        selB.value = nameB;
        build(panes[0]!.stepper.pos);
      } else if (k === '?') help.hidden = !help.hidden;
      else if (k === 'Escape') help.hidden = true;
      else return;
      if (handled) ev.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('drop', onDrop);
    document.addEventListener('dragover', onDragOver);
    const onResize = (): void => {
      scale = null;
      build(panes[0]!.stepper.pos);
    };
    let rt = 0;
    const resized = (): void => {
      clearTimeout(rt);
      rt = window.setTimeout(onResize, 200);
    };
    window.addEventListener('resize', resized);

    const step0 = Number(q.get('step'));
    const trace0 = loadTrace(traceName)!;
    build(q.has('step') && Number.isFinite(step0) ? step0 : Math.floor(trace0.length / 3));

    return () => {
      stop();
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('drop', onDrop);
      document.removeEventListener('dragover', onDragOver);
      window.removeEventListener('resize', resized);
    };
  },
};
