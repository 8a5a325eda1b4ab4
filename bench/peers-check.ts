/**
 * peers-check.ts — validated replay of every bundled trace through the fast allocator (tags on every
 * payload, checkHeap at the end), printing utilization per trace and per-set means. Usage:
 *   node --import tsx bench/peers-check.ts [--nopages] [--align 8] [--check-every N] [TRACES...]
 */
import { LinearMemory } from '../src/memory/linear-memory.js';
import { FastHeap } from '../src/alloc/fast/fast-heap.js';
import { OP_ALLOC, OP_FREE, listTraces, loadTrace } from './peers-trace.js';

const args = process.argv.slice(2);
const pages = !args.includes('--nopages');
const align = args.includes('--align') ? (Number(args[args.indexOf('--align') + 1]) as 8 | 16) : 16;
const every = args.includes('--check-every') ? Number(args[args.indexOf('--check-every') + 1]) : 0;
const roots = args.filter((a, i) => !a.startsWith('--') && !['--align', '--check-every'].includes(args[i - 1]));
const files = listTraces(roots.length ? roots : ['traces']);
const bySet = new Map<string, number[]>();
for (const f of files) {
  const t = loadTrace(f);
  const mem = new LinearMemory({ maxBytes: 0x7fff0000 });
  const h = FastHeap.format(mem, align, { pages });
  const ptr = new Float64Array(t.numIds);
  const len = new Float64Array(t.numIds);
  let errors = 0;
  let refused = 0;
  const tag = (id: number): number => (id * 131 + 7) & 255;
  const verify = (i: number, id: number): void => {
    const p = ptr[id];
    const n = len[id];
    if (p === 0 || n === 0) return;
    const u8 = h.u8;
    if (u8[p] !== tag(id) || u8[p + n - 1] !== tag(id)) {
      if (errors++ < 3) console.error(`${t.name}: op ${i}: payload of id ${id} at ${p} damaged`);
    }
  };
  const t0 = performance.now();
  for (let i = 0; i < t.numOps; i++) {
    const id = t.id[i];
    const k = t.kind[i];
    if (k === OP_FREE) {
      verify(i, id);
      h.free(ptr[id]);
      ptr[id] = 0;
      len[id] = 0;
    } else {
      const n = t.size[i];
      let p: number;
      if (k === OP_ALLOC) p = h.malloc(n);
      else {
        verify(i, id);
        p = h.realloc(ptr[id], n);
      }
      if (p === 0) {
        if (n === 0) {
          ptr[id] = 0;
          len[id] = 0;
          continue;
        }
        if (n >= 0x1_0000_0000) {
          refused++;
          if (k === OP_ALLOC) ptr[id] = 0, len[id] = 0;
          continue;
        }
        if (errors++ < 3) console.error(`${t.name}: op ${i}: ${k === OP_ALLOC ? 'malloc' : 'realloc'}(${n}) failed: ${h.lastError}`);
        continue;
      }
      if (k !== OP_ALLOC && p !== 0 && len[id] > 0) {
        const keep = Math.min(len[id], n);
        if (h.u8[p] !== tag(id) || (keep === len[id] && h.u8[p + keep - 1] !== tag(id))) {
          if (errors++ < 3) console.error(`${t.name}: op ${i}: realloc lost bytes of id ${id}`);
        }
      }
      ptr[id] = p;
      len[id] = n;
      const u8 = h.u8;
      u8[p] = tag(id);
      u8[p + n - 1] = tag(id);
    }
    if (every > 0 && i % every === 0) {
      const v = h.checkHeap();
      if (v.length) {
        console.error(`${t.name}: op ${i}: checkHeap: ${v.slice(0, 3).map((x) => `${x.address}: ${x.message}`).join('; ')}`);
        errors++;
        break;
      }
    }
  }
  const ms = performance.now() - t0;
  const v = h.checkHeap();
  if (v.length) {
    errors++;
    console.error(`${t.name}: checkHeap: ${v.slice(0, 3).map((x) => `${x.address}: ${x.message}`).join('; ')}`);
  }
  const st = h.stats();
  const util = t.peakLive / st.highWater;
  const key = t.set === 'malloclab-new' ? (t.header1 === 1 || t.header1 === 2 ? 'malloclab-new scored16' : t.header1 === 3 ? 'malloclab-new tput-only' : 'malloclab-new unscored') : t.set === 'malloclab' ? (/short[12]/.test(t.name) ? 'classic short' : 'classic 11') : t.set;
  if (!bySet.has(key)) bySet.set(key, []);
  bySet.get(key)!.push(util);
  console.log(`${key.padEnd(22)} ${t.name.padEnd(24)} util ${(util * 100).toFixed(1).padStart(5)}%  ${(t.numOps / ms / 1000).toFixed(2).padStart(6)} Mops/s  hw ${st.highWater}  ${errors ? 'INVALID' : 'ok'}${refused ? ` refused ${refused}` : ''}`);
}
for (const [k, u] of bySet) console.log(`${k.padEnd(24)} mean utilization ${(u.reduce((a, b) => a + b, 0) / u.length * 100).toFixed(1)}% over ${u.length}`);
