/**
 * traces.test.ts — no false positives: a representative sample of the bundled traces replayed through
 * the debug heap (validated replay: every payload filled edge to edge and verified) must give zero
 * reports and a clean heap; replay metrics on real traces satisfy their accounting identities; and
 * `heapkit replay --metrics` prints them.
 * The whole bundled suite runs in `npm run check:debug-heap`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createDebugHeap, createHeap, measureReplay } from '../../src/index.js';
import { readTraceFileSync } from '../../src/node/read-trace.js';
import { bundledTracesDir } from '../../src/node/trace-files.js';
import { replayValidated } from '../../src/trace/validate.js';

const SAMPLE = [
  'malloclab/amptjp-bal.rep',
  'malloclab/binary2-bal.rep',
  'malloclab/coalescing-bal.rep',
  'malloclab/random-bal.rep',
  'malloclab/realloc2-bal.rep',
  'malloclab/csapp3e-autolab/bash.rep',
  'malloclab/csapp3e-autolab/firefox-reddit2.rep',
  'malloclab/csapp3e-autolab/alaska.rep',
  'malloclab/csapp3e-autolab/corners.rep',
  'malloclab-new/bdd-aa4.rep',
  'malloclab-new/cbit-abs.rep',
  'malloclab-new/ngram-gulliver1.rep',
  'malloclab-new/syn-mix.rep',
  'malloclab-new/syn-giantmix-short.rep',
  'malloclab-new/syn-largemem-short.rep',
  'real/python-compileall.rep.gz',
];

describe('bundled traces through the debug heap: zero reports', () => {
  for (const rel of SAMPLE) {
    for (const allocator of ['tlsf', 'segregated']) {
      it(`${rel} on debug:${allocator}`, () => {
        const trace = readTraceFileSync(join(bundledTracesDir(), rel));
        const heap = createDebugHeap({ allocator, maxBytes: 1 << 30, quarantineBytes: allocator === 'tlsf' ? 1 << 20 : 4096 });
        const v = replayValidated(trace, heap);
        assert.deepEqual(v.errors, []);
        assert.ok(v.ok);
        assert.deepEqual(heap.check(), []);
        assert.deepEqual(heap.checkHeap(), []);
        const leaked = heap.leaks().reduce((t, g) => t + g.count, 0);
        assert.equal(leaked, heap.stats().liveBlocks, 'leaks() lists every block the trace leaves live');
      });
    }
  }

  it('with stacks captured, a trace still replays clean and leaks are grouped by the replay site', () => {
    const trace = readTraceFileSync(join(bundledTracesDir(), 'malloclab/csapp3e-autolab/bash.rep'));
    const heap = createDebugHeap({ captureStacks: true, maxBytes: 1 << 30 });
    const v = replayValidated(trace, heap);
    assert.ok(v.ok, v.errors.join('\n'));
    assert.deepEqual(heap.check(), []);
    const groups = heap.leaks();
    assert.ok(groups.length >= 1 && groups.length <= 3, `bash leaves blocks from the replay's malloc/realloc sites (${groups.length} groups)`);
    assert.ok(groups.every((g) => /validate\.ts/.test(g.site ?? '')));
  });
});

describe('replay metrics on bundled traces', () => {
  for (const rel of ['malloclab/binary2-bal.rep', 'malloclab-new/ngram-gulliver1.rep', 'real/python-compileall.rep.gz']) {
    it(`${rel}: identities hold and the peak matches the validated replay's`, () => {
      const trace = readTraceFileSync(join(bundledTracesDir(), rel));
      const v = replayValidated(trace, createHeap({ allocator: 'segregated' }));
      const m = measureReplay(trace, createHeap({ allocator: 'segregated' }), { samples: 50 });
      const f = m.final;
      assert.equal(m.peakRequested, v.peakLive);
      assert.equal(m.highWater, v.heapHighWater);
      assert.equal(f.requestedBytes + f.alignmentBytes + f.headerBytes + f.metadataBytes + f.freeBytes, f.heapBytes);
      assert.ok(m.timeline.length >= 49 && m.timeline.length <= 51);
      assert.ok(m.fragmentation >= 0 && m.policyWaste >= 0 && m.meanAllocDistance > 0);
      assert.equal(m.peakRequested + m.alignmentAtPeak + m.headerAtPeak + m.metadataBytes + m.policyWaste, m.highWater);
    });
  }
});

describe('heapkit replay --metrics', () => {
  it('prints the metrics in text and includes them in --json', () => {
    const trace = join(bundledTracesDir(), 'malloclab/short2-bal.rep');
    const cli = [join(bundledTracesDir(), '..', 'src', 'cli', 'main.ts'), 'replay', trace, '--alloc', 'segregated', '--runs', '1', '--metrics'];
    const run = (extra: string[]): string => execFileSync(process.execPath, ['--import', 'tsx', ...cli, ...extra], { encoding: 'utf8' });
    const text = run([]);
    assert.match(text, /fragmentation \(Johnstone & Wilson #4\)/);
    assert.match(text, /external +[\d.]+% at the end/);
    assert.match(text, /locality +live set touches \d+ pages/);
    const j = JSON.parse(run(['--json'])) as { metrics: { peakRequested: number; final: { source: string }; timeline: unknown[] }; peakLive: number };
    assert.equal(j.metrics.peakRequested, j.peakLive);
    assert.equal(j.metrics.final.source, 'walk');
    assert.ok(j.metrics.timeline.length > 0);
  });
});
