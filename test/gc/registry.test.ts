/**
 * registry.test.ts — the collector registry and the barrier hook that later plans (incremental, concurrent) build on;
 * the runner and the `heapkit gc --json` record shape.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  BARRIER_HOOK,
  collectorNames,
  createManagedHeap,
  createMarkSweepPlan,
  gcWorkloadNames,
  registerCollector,
  runGcWorkload,
  runRandomGraph,
  type GcPlan,
} from '../../src/gc/index.js';

describe('collector registry', () => {
  it('lists the four built-in collectors and refuses unknown names with a RangeError', () => {
    for (const n of ['mark-sweep', 'mark-compact', 'semispace', 'generational']) assert.ok(collectorNames().includes(n));
    assert.throws(() => createManagedHeap({ collector: 'nope' }), (e: Error) => e instanceof RangeError && /known: mark-sweep/.test(e.message));
  });

  it('a registered plan composed from a built-in one gets a barrier hook called before every reference store', () => {
    const seen: { obj: number; old: number; value: number }[] = [];
    const make = (): GcPlan => {
      const base = createMarkSweepPlan();
      return {
        ...base,
        name: 'test-hooked-mark-sweep',
        description: 'mark-sweep with a logging barrier hook (test)',
        barrier: BARRIER_HOOK,
        writeBarrier(heap, obj, slotWord, value) {
          seen.push({ obj, old: heap.u32[slotWord]!, value });
        },
      };
    };
    registerCollector('test-hooked-mark-sweep', make);
    assert.ok(collectorNames().includes('test-hooked-mark-sweep'));
    const h = createManagedHeap({ collector: 'test-hooked-mark-sweep', maxBytes: 4 << 20 });
    const R = h.defineRecord('R', 2);
    const V = h.defineRefArray('V');
    const a = h.alloc(R);
    const b = h.alloc(R);
    h.setRef(a, 1, b);
    h.setRef(a, 1, 0);
    const v = h.allocArray(V, 2);
    h.setElem(v, 1, a);
    assert.deepEqual(seen, [
      { obj: a, old: 0, value: b },
      { obj: a, old: b, value: 0 },
      { obj: v, old: 0, value: a },
    ]);
    // The composed plan still collects correctly.
    const r = runRandomGraph(h, { steps: 800, seed: 3 });
    assert.ok(r.checksumOk, r.detail);
  });
});

describe('runner and CLI', () => {
  it('runGcWorkload reports every field of the JSON contract', () => {
    for (const w of gcWorkloadNames) {
      const r = runGcWorkload('semispace', w, 6);
      for (const k of ['collector', 'workload', 'size', 'timeMs', 'collections', 'minorCollections', 'majorCollections', 'maxPauseMs', 'p99PauseMs', 'heapHighWater', 'checksumOk']) assert.ok(k in r, k);
      assert.equal(r.checksumOk, true, r.detail);
      assert.equal(r.collections, r.minorCollections + r.majorCollections);
    }
    assert.throws(() => runGcWorkload('semispace', 'nope', 6), RangeError);
  });

  it('`heapkit gc --json` prints one record per collector × workload with verified checksums', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'gc', '--size', '6', '--json', '--workload', 'binary-trees,random-graph'], { encoding: 'utf8' });
    assert.equal(res.status, 0, res.stderr);
    const rows = JSON.parse(res.stdout) as { collector: string; workload: string; checksumOk: boolean }[];
    assert.equal(rows.length, 2 * collectorNames().filter((n) => !n.startsWith('test-')).length); // every collector registered outside this test
    assert.ok(rows.every((r) => r.checksumOk));
    const touched = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'gc', '--size', '6', '--json', '--pre-touch', '--collector', 'incremental,mark-sweep', '--workload', 'gcbench'], { encoding: 'utf8' });
    assert.equal(touched.status, 0, touched.stderr);
    assert.deepEqual((JSON.parse(touched.stdout) as { collector: string; checksumOk: boolean }[]).map((r) => [r.collector, r.checksumOk]), [['incremental', true], ['mark-sweep', true]]);
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'gc', '--collector', 'nope'], { encoding: 'utf8' });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /unknown collector 'nope'/);
  });
});
