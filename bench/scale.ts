/**
 * scale.ts — `npm run bench:scale`: operations per second as the number of live blocks grows from 10^3
 * to 10^6, for heapkit's fast allocator (O(1)) against `implicit-first` (a linear scan per malloc).
 *
 *   node --import tsx bench/scale.ts [--alloc fast,implicit-first,...] [--budget SECONDS] [--json]
 *
 * Per point: build N live blocks (random sizes 16..256, then free every third to leave holes), then
 * time a steady phase of random free + malloc pairs for up to `budget` seconds (or 200k pairs).
 */
import { LinearMemory } from '../src/memory/linear-memory.js';
import { createFastHeap } from '../src/alloc/fast/index.js';
import type { Allocator } from '../src/alloc/allocator.js';

const args = process.argv.slice(2);
const opt = (n: string, d: string): string => (args.includes(n) ? args[args.indexOf(n) + 1] : d);
const allocs = opt('--alloc', 'fast,implicit-first').split(',');
const budget = Number(opt('--budget', '5')) * 1000;
const json = args.includes('--json');

async function make(name: string): Promise<Allocator> {
  const mem = new LinearMemory({ initialBytes: 1 << 20, maxBytes: 0x7fff0000 });
  if (name === 'fast') return createFastHeap(mem, { align: 16 });
  const { createHeap } = await import('../src/alloc/create.js');
  return createHeap({ allocator: name, memory: mem } as never);
}

interface Point { allocator: string; liveBlocks: number; opsPerSec: number | null; setupSeconds: number; note: string }
const points: Point[] = [];
let seed = 42;
const rnd = (m: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % m);

for (const name of allocs) {
  let dead = false;
  for (const n of [1e3, 1e4, 1e5, 1e6]) {
    if (dead) {
      points.push({ allocator: name, liveBlocks: n, opsPerSec: null, setupSeconds: 0, note: 'skipped (previous point ran out of time)' });
      continue;
    }
    seed = 42;
    const h = await make(name);
    const live = new Float64Array(n);
    const t0 = performance.now();
    let built = 0;
    for (; built < n; built++) {
      live[built] = h.malloc(16 + rnd(241));
      if ((built & 1023) === 0 && performance.now() - t0 > budget * 4) break;
    }
    if (built < n) {
      dead = true;
      points.push({ allocator: name, liveBlocks: n, opsPerSec: null, setupSeconds: (performance.now() - t0) / 1000, note: `setup timed out after ${built} blocks` });
      continue;
    }
    for (let i = 0; i < n; i += 3) {
      h.free(live[i]);
      live[i] = h.malloc(16 + rnd(241));
      h.free(live[i]);
      live[i] = 0;
    }
    const setup = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    let ops = 0;
    while (ops < 400_000) {
      for (let k = 0; k < 256; k++) {
        const i = rnd(n);
        if (live[i] !== 0) h.free(live[i]);
        live[i] = h.malloc(16 + rnd(241));
        ops += 2;
      }
      if (performance.now() - t1 > budget) break;
    }
    const sec = (performance.now() - t1) / 1000;
    const bad = h.checkHeap().length;
    points.push({ allocator: name, liveBlocks: n, opsPerSec: ops / sec, setupSeconds: setup, note: bad ? `checkHeap: ${bad} violations` : '' });
    if (!json) console.error(`${name} ${n}: ${(ops / sec / 1e6).toFixed(3)} Mops/s`);
    if (sec > budget / 1000 && ops < 20_000) dead = true;
  }
}

if (json) console.log(JSON.stringify(points));
else {
  console.log('live blocks'.padEnd(14) + allocs.map((a) => a.padStart(18)).join(''));
  for (const n of [1e3, 1e4, 1e5, 1e6]) {
    console.log(String(n).padEnd(14) + allocs.map((a) => {
      const p = points.find((x) => x.allocator === a && x.liveBlocks === n)!;
      return (p.opsPerSec === null ? 'timeout' : `${(p.opsPerSec / 1e6).toFixed(3)} Mops/s`).padStart(18);
    }).join(''));
  }
}
