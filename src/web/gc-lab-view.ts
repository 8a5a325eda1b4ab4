/**
 * gc-lab-view.ts — the pause lab panel of the collector view: pick a workload, run it in this page on the
 * `incremental` and `concurrent` collectors, and read their main-thread pause logs side by side. Exports `mountPauseLab`.
 *
 * ```
 *  workload [binary-trees ▾] size [12] (run)                      status
 *  collector    marking          cycles  pauses  p50  p99  max  MMU 1 ms  MMU 10 ms  time  checks
 *  incremental  main thread        14     …
 *  concurrent   Web Worker  14/14  13     …
 *  pause strip per collector: one bar per pause at its time (height = ms, one scale for both), 1 ms line
 * ```
 * Elements: `#lab` carries `data-lab-state` (idle · running · done · error); `#lab-workload`, `#lab-size`,
 * `#lab-run`; one `tr[data-lab-collector]` per run with `data-marked-in`, `data-cycles`, `data-worker-cycles`,
 * `data-main-cycles`, `data-main-busy`, `data-marker-failures`, `data-pauses`, `data-p50`, `data-p99`, `data-max` (ms), `data-max-kind`,
 * `data-mmu1`, `data-mmu10`, `data-time`, `data-checksum` (ok · failed), `data-checked`, `data-violations`,
 * `data-marked-objects` (or `data-error` with the error's name when the run threw); `svg[data-lab-strip]` per run.
 */
import './gc-lab.css';
import { runPauseLab, pauseLabWorkloads, type PauseLabRun, type PauseLabWorkload } from './gc-pause-lab.js';

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const ms = (x: number): string => (x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const pct = (u: number): string => `${(u * 100).toFixed(0)}%`;

/** The collectors the lab compares. */
const LAB_COLLECTORS = ['incremental', 'concurrent'];
/** Size limits and defaults per workload (binary-trees: depth; random graph: thousands of steps). */
const SIZES: Record<PauseLabWorkload, { min: number; max: number; def: number; what: string }> = {
  'binary-trees': { min: 6, max: 16, def: 12, what: 'depth' },
  'random-graph': { min: 1, max: 20, def: 4, what: '× 1000 steps' },
};

const WHERE: Record<PauseLabRun['markedIn'], string> = {
  'web-worker': 'Web Worker',
  worker_threads: 'worker thread',
  'main-thread': 'main thread',
  mixed: 'worker + main',
};

function row(r: PauseLabRun): string {
  const p = r.pauses;
  const mmu = (w: number): number => p.mmu.find((m) => m.windowMs === w)?.utilization ?? 1;
  const sound = r.checksumOk && r.violations.length === 0;
  const maxKind = Object.entries(r.kinds).find(([, k]) => k.maxMs === p.maxMs)?.[0] ?? '';
  const checks =
    `<span class="${r.checksumOk ? 'ok' : 'bad'}">${r.checksumOk ? 'checksums ok' : 'checksum FAILED'}</span>` +
    (r.checkedCollections > 0 ? ` <span class="note">(${r.checkedCollections} compared)</span>` : '') +
    ` · <span class="${r.violations.length === 0 ? 'ok' : 'bad'}">${r.violations.length === 0 ? 'verify ok' : `${r.violations.length} violations`}</span>`;
  const marking =
    `<span class="where ${r.markedIn}">${WHERE[r.markedIn]}</span>` +
    (r.collector === 'concurrent' ? ` <span class="note">${r.workerCycles} in worker · ${r.mainThreadCycles} local</span>` : '');
  return (
    `<tr data-lab-collector="${esc(r.collector)}" data-marked-in="${r.markedIn}" data-cycles="${r.cycles}" data-worker-cycles="${r.workerCycles}" ` +
    `data-main-cycles="${r.mainThreadCycles}" data-main-busy="${r.mainThreadCyclesMarkerBusy}" data-marker-failures="${r.markerFailures}" data-full="${r.fullCollections}" data-pauses="${p.count}" ` +
    `data-p50="${p.p50Ms}" data-p99="${p.p99Ms}" data-max="${p.maxMs}" data-max-kind="${esc(maxKind)}" data-mmu1="${mmu(1)}" data-mmu10="${mmu(10)}" data-time="${r.timeMs}" ` +
    `data-checksum="${r.checksumOk ? 'ok' : 'failed'}" data-checked="${r.checkedCollections}" data-violations="${r.violations.length}" data-marked-objects="${r.lastMarkedObjects}" data-sound="${sound}">` +
    `<td><b>${esc(r.collector)}</b></td><td class="l" title="${esc(r.markerNote)}">${marking}</td><td>${r.cycles}${r.fullCollections ? ` <span class="note">(${r.fullCollections} full)</span>` : ''}</td>` +
    `<td>${p.count}</td><td>${ms(p.p50Ms)}</td><td>${ms(p.p99Ms)}</td><td title="longest pause: ${esc(maxKind)}"><b>${ms(p.maxMs)}</b></td><td>${pct(mmu(1))}</td><td>${pct(mmu(10))}</td>` +
    `<td>${r.timeMs.toFixed(0)}</td><td class="l">${checks}</td></tr>`
  );
}

/** One run's pauses along its run time: per pixel column the longest pause, coloured by kind. */
function strip(r: PauseLabRun, W: number, yMax: number): string {
  const H = 54;
  const X0 = 86;
  const base = H - 14;
  const span = Math.max(r.timeMs, 1);
  const cols = new Map<number, { ms: number; kind: string }>();
  for (const p of r.timeline) {
    const c = Math.min(W - X0 - 1, Math.max(0, Math.floor((p.t / span) * (W - X0))));
    const cur = cols.get(c);
    if (!cur || p.ms > cur.ms) cols.set(c, { ms: p.ms, kind: p.kind });
  }
  const y = (v: number): number => base - (Math.min(v, yMax) / yMax) * (base - 6);
  let bars = '';
  for (const [c, p] of cols) bars += `<rect class="${esc(p.kind)}" x="${X0 + c}" y="${y(p.ms).toFixed(1)}" width="1.5" height="${Math.max(1, base - y(p.ms)).toFixed(1)}"><title>${esc(p.kind)} ${ms(p.ms)} ms</title></rect>`;
  const one = yMax >= 1 ? `<line x1="${X0}" x2="${W}" y1="${y(1).toFixed(1)}" y2="${y(1).toFixed(1)}" stroke-dasharray="3 3"/><text x="${X0 - 4}" y="${(y(1) + 3).toFixed(1)}" text-anchor="end">1 ms</text>` : '';
  return (
    `<svg class="strip" data-lab-strip="${esc(r.collector)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(r.collector)} pauses over time">` +
    `<text x="0" y="14">${esc(r.collector)}</text><line x1="${X0}" x2="${W}" y1="${base}" y2="${base}"/>${one}${bars}` +
    `<text x="${X0}" y="${H - 2}">0</text><text x="${W}" y="${H - 2}" text-anchor="end">${r.timeMs.toFixed(0)} ms run time →</text></svg>`
  );
}

/** Lets the page paint (a status line) before the next synchronous run. */
const yieldToPage = (): Promise<void> => new Promise((r) => setTimeout(r, 16));

/** Fills `el` with the pause lab; returns a teardown (a run in progress finishes but draws nothing). */
export function mountPauseLab(el: HTMLElement): () => void {
  let alive = true;
  el.dataset.labState = 'idle';
  el.innerHTML =
    `<div class="index-title">pause lab <span class="hint">— a workload run in this page on the short-pause collectors; a pause is main-thread collector work (step, handshake, remark, sweep)</span></div>` +
    `<div class="controls" aria-label="pause lab controls"><label>workload <select id="lab-workload">${pauseLabWorkloads.map((w) => `<option value="${w}">${w}</option>`).join('')}</select></label>` +
    `<label>size <input id="lab-size" type="number"> <span id="lab-size-what" class="note"></span></label>` +
    `<button id="lab-run" title="runs the workload on ${LAB_COLLECTORS.join(' and ')}, one after the other">run ${LAB_COLLECTORS.join(' + ')}</button>` +
    `<span id="lab-status" class="lab-status">${globalThis.crossOriginIsolated ? 'SharedArrayBuffer available: concurrent marking can run in a Web Worker' : 'not cross-origin isolated: concurrent marking will fall back to the main thread'}</span></div>` +
    `<table><thead><tr><th>collector</th><th class="l">marking</th><th>cycles</th><th>pauses</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th><th>MMU 1 ms</th><th>MMU 10 ms</th><th>time ms</th><th class="l">checks</th></tr></thead>` +
    `<tbody id="lab-results"><tr><td colspan="11" class="l note">not run yet</td></tr></tbody></table><div id="lab-strips"></div>`;
  const $ = <T extends HTMLElement>(id: string): T => el.querySelector<T>('#' + id)!;
  const wl = $<HTMLSelectElement>('lab-workload');
  const size = $<HTMLInputElement>('lab-size');
  const btn = $<HTMLButtonElement>('lab-run');
  const status = $('lab-status');
  const sizeFor = (): void => {
    const s = SIZES[wl.value as PauseLabWorkload];
    size.min = String(s.min);
    size.max = String(s.max);
    size.value = String(s.def);
    $('lab-size-what').textContent = s.what;
  };
  wl.onchange = sizeFor;
  sizeFor();
  btn.onclick = async () => {
    const workload = wl.value as PauseLabWorkload;
    const s = SIZES[workload];
    const n = Math.max(s.min, Math.min(s.max, Math.floor(Number(size.value) || s.def)));
    size.value = String(n);
    btn.disabled = true;
    el.dataset.labState = 'running';
    status.className = 'lab-status';
    const runs: PauseLabRun[] = [];
    const failures: { collector: string; error: Error }[] = [];
    const draw = (): void => {
      $('lab-results').innerHTML =
        runs.map(row).join('') +
        failures
          .map((f) => `<tr data-lab-collector="${esc(f.collector)}" data-error="${esc(f.error.name)}"><td><b>${esc(f.collector)}</b></td><td colspan="10" class="l bad">failed: ${esc(f.error.name)}: ${esc(f.error.message)}</td></tr>`)
          .join('');
      const yMax = Math.max(1, ...runs.map((r) => r.pauses.maxMs));
      const W = Math.max(420, $('lab-strips').clientWidth || el.clientWidth - 20);
      $('lab-strips').innerHTML = runs.map((r) => strip(r, W, yMax)).join('');
    };
    try {
      for (const c of LAB_COLLECTORS) {
        status.textContent = `running ${workload} ${n} on ${c}${c === 'concurrent' ? ' (marker in a Web Worker)' : ''}…`;
        await yieldToPage();
        try {
          runs.push(await runPauseLab(c, workload, n));
        } catch (e) {
          failures.push({ collector: c, error: e instanceof Error ? e : new Error(String(e)) });
        }
        if (!alive) return;
        draw();
      }
      if (failures.length > 0) throw failures[0]!.error;
      const con = runs.find((r) => r.collector === 'concurrent');
      status.textContent = `${workload} ${n}: done${con ? ` · concurrent: ${con.markerNote}` : ''}${workload === 'random-graph' ? ' · random graph is a correctness workload: its pauses include its own collections (1 step in 100, half of them full), the checksum comparisons and a final full collection' : ''}`;
      el.dataset.labState = 'done';
    } catch (e) {
      if (!alive) return;
      status.textContent = `${failures.length > 0 ? `${failures[0]!.collector}: ` : ''}${(e as Error).name}: ${(e as Error).message}`;
      status.className = 'lab-status error';
      el.dataset.labState = 'error';
    } finally {
      btn.disabled = false;
    }
  };
  return () => {
    alive = false;
  };
}
