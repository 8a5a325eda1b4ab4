/**
 * main.ts — the visualizer's entry: the tab bar, the URL that captures the view, and the status line.
 * Exports nothing; mounts the view named by `?view=` (default: allocators).
 */
import './style.css';
import { allocView } from './alloc-view.js';
import { vmView } from './vm-view.js';
import { gcView } from './gc-view.js';
import type { View } from './view.js';

const views: View[] = [
  allocView,
  gcView,
  vmView,
];

const tabs = document.getElementById('tabs')!;
const main = document.getElementById('view')!;
const statusEl = document.getElementById('status')!;
let unmount: (() => void) | null = null;

function status(text: string, error = false): void {
  statusEl.textContent = text;
  statusEl.className = error ? 'error' : '';
}

function show(id: string, params: URLSearchParams): void {
  const v = views.find((x) => x.id === id && x.available) ?? views[0]!;
  unmount?.();
  for (const b of tabs.querySelectorAll('button')) b.setAttribute('aria-selected', String(b.dataset.view === v.id));
  const setParams = (p: Record<string, string>): void => {
    const q = new URLSearchParams({ view: v.id, ...p });
    history.replaceState(null, '', `?${q}`);
  };
  unmount = v.mount(main, { params, setParams, status });
}

tabs.innerHTML = views
  .map((v) => `<button data-view="${v.id}" ${v.available ? '' : `disabled title="${v.note ?? ''}"`}>${v.title}</button>`)
  .join('');
tabs.addEventListener('click', (ev) => {
  const b = (ev.target as Element).closest('button');
  if (b && !b.disabled) show(b.dataset.view!, new URLSearchParams());
});

status(
  globalThis.crossOriginIsolated
    ? 'cross-origin isolated: SharedArrayBuffer available'
    : 'not cross-origin isolated (SharedArrayBuffer unavailable): serve with heapkit ui',
);
const params = new URLSearchParams(location.search);
show(params.get('view') ?? 'alloc', params);
document.body.dataset.ready = 'true';
