/**
 * report.test.ts — `heapkit report`: one self-contained HTML page with inline SVG plots (no scripts, no
 * fetches), figures matching the trace lab's, GC pause histograms when given; opened offline in Chromium.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTraceFileSync } from '../../src/node/read-trace.js';
import { buildReport } from '../../src/report/build-report.js';
import { sampleSeries } from '../../src/report/series.js';
import { createHeap } from '../../src/alloc/create.js';
import { resolveReportTraces } from '../../src/cli/commands/report.js';
import { ARTIFACTS, CHROMIUM, launchChromium } from './browser.js';

const short1 = 'traces/malloclab/short1-bal.rep';
const synMix = 'traces/malloclab-new/syn-mix-short.rep';

function assertSelfContained(html: string): void {
  assert.doesNotMatch(html, /<script/i, 'no scripts');
  assert.doesNotMatch(html, /<link/i, 'no linked resources');
  assert.doesNotMatch(html, /(src|href)\s*=\s*["']?(https?:|\/\/)/i, 'no external URLs');
  assert.doesNotMatch(html, /url\(\s*["']?(https?:|\/\/)/i, 'no external CSS urls');
  assert.doesNotMatch(html, /@import/i);
}

test('buildReport: inline SVG plots per trace and for the set, a row per (trace, allocator), no external resources', () => {
  const traces = [short1, synMix].map((p) => ({ trace: readTraceFileSync(p), path: p }));
  const r = buildReport({ traces, allocators: ['implicit-first', 'tlsf'], runs: 1, samples: 50 });
  assertSelfContained(r.html);
  // 2 set charts + 2 per trace, each an inline <svg> with drawn paths
  const svgs = r.html.match(/<svg[^>]*class="plot[^"]*"/g) ?? [];
  assert.ok(svgs.length >= 2 + 2 * traces.length, `plots: ${svgs.length}`);
  assert.equal(r.records.length, 4);
  assert.equal((r.html.match(/<tr><td>/g) ?? []).length, 4);
  for (const rec of r.records) {
    assert.equal(rec.valid, true, rec.errors.join('; '));
    assert.match(r.html, new RegExp(`<td>${rec.trace}</td><td>${rec.allocator}</td><td>${(rec.utilization! * 100).toFixed(1)}%</td>`));
  }
  assert.doesNotMatch(r.html, /Garbage-collection pauses/);
  // the curves end where the trace lab's validated replay ends
  const s = r.series.find((x) => x.trace === 'short1-bal' && x.allocator === 'tlsf')!;
  const rec = r.records.find((x) => x.trace === 'short1-bal' && x.allocator === 'tlsf')!;
  assert.equal(s.points[s.points.length - 1]!.op, readTraceFileSync(short1).length);
  assert.ok(Math.abs(s.utilization! - rec.utilization!) < 1e-9, `${s.utilization} vs ${rec.utilization}`);
});

test('GC pause histograms appear when collectors are run', () => {
  const r = buildReport({
    traces: [{ trace: readTraceFileSync(short1), path: short1 }],
    allocators: ['tlsf'],
    runs: 1,
    samples: 10,
    gc: [
      { collector: 'mark-sweep', workload: 'trees', pausesMs: [0.5, 0.7, 1.2, 3.4] },
      { collector: 'semispace', workload: 'trees', pausesMs: [0.2, 0.3, 0.25] },
    ],
  });
  assertSelfContained(r.html);
  assert.match(r.html, /Garbage-collection pauses/);
  assert.match(r.html, /mark-sweep: 4 pauses, max 3.40 ms/);
});

test('series: utilization and fragmentation stay in [0, 1], heap never below live bytes', () => {
  const t = readTraceFileSync('traces/malloclab/random-bal.rep');
  const s = sampleSeries(t, () => createHeap({ allocator: 'segregated' }), 'segregated', 60);
  assert.ok(s.points.length >= 60);
  for (const p of s.points) {
    assert.ok(p.utilization >= 0 && p.utilization <= 1, `util ${p.utilization}`);
    assert.ok(p.fragmentation >= 0 && p.fragmentation <= 1);
    assert.ok(p.heapBytes >= p.liveRequested, `op ${p.op}: heap ${p.heapBytes} < live ${p.liveRequested}`);
    assert.ok(p.highWater >= p.heapBytes);
  }
});

test('bundled names resolve to the shallowest file; unknown names are an error naming them', () => {
  const [f] = resolveReportTraces(['random-bal']);
  assert.match(f!, /traces\/malloclab\/random-bal\.rep$/);
  assert.throws(() => resolveReportTraces(['no-such-trace']), /no-such-trace/);
});

test('heapkit report -o writes a page that opens offline in Chromium with no fetches', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heapkit-report-'));
  const out = join(dir, 'report.html');
  execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'report', 'short1-bal', synMix, '--alloc', 'explicit-lifo,segregated', '--runs', '1', '-o', out], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const html = readFileSync(out, 'utf8');
  assertSelfContained(html);
  assert.match(html, /syn-mix-short/);
  if (!existsSync(CHROMIUM)) return;
  const ctx = await launchChromium();
  try {
    const page = await ctx.newPage();
    const requests: string[] = [];
    page.on('request', (q) => requests.push(q.url()));
    await page.goto('file://' + out);
    assert.deepEqual(requests, ['file://' + out]);
    assert.ok((await page.locator('svg[class^="plot"]').count()) >= 6);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
  } finally {
    await ctx.close();
  }
});

test('GC pauses are collected from real collectors on a workload and drawn', async () => {
  const { collectGcPauses } = await import('../../src/report/gc-pauses.js');
  const sets = collectGcPauses(['mark-sweep', 'semispace'], ['binary-trees'], 10, 256 << 10);
  assert.equal(sets.length, 2);
  for (const s of sets) {
    assert.ok(s.pausesMs.length > 0, `${s.collector} collected`);
    assert.ok(s.pausesMs.every((x) => x >= 0 && Number.isFinite(x)));
  }
  const r = buildReport({ traces: [{ trace: readTraceFileSync(short1), path: short1 }], allocators: ['tlsf'], runs: 1, samples: 10, gc: sets });
  assert.match(r.html, new RegExp(`semispace: ${sets[1]!.pausesMs.length} pauses`));
  assert.throws(() => collectGcPauses(['mark-sweep'], ['nope']), /unknown GC workload 'nope'/);
});
