/**
 * lab.test.ts — end-to-end tests of `heapkit bench`, `heapkit replay` and `heapkit allocators`,
 * run as a user runs them (a child process on src/cli/main.ts under tsx).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allocatorNames } from '../../src/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

function heapkit(...args: string[]): Promise<Run> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? ((err as NodeJS.ErrnoException & { code?: number }).code as unknown as number) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

const KEYS = ['trace', 'path', 'allocator', 'valid', 'refused', 'timedOut', 'utilization', 'opsPerSec', 'heapHighWater', 'peakLive', 'errors'];

test('bench --json: one JSON array of records with the documented fields, valid and refused', async () => {
  const r = await heapkit('bench', 'traces/malloclab/short1-bal.rep', 'traces/malloclab/csapp3e-autolab/corners.rep', 'traces/malloclab-new/syn-giantmix-short.rep', '--alloc', 'tlsf,explicit-lifo', '--runs', '1', '--json');
  assert.equal(r.code, 0, r.stderr);
  const recs = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.ok(Array.isArray(recs));
  assert.equal(recs.length, 6);
  for (const x of recs) {
    for (const k of KEYS) assert.ok(k in x, `record lacks ${k}`);
    assert.equal(typeof x.valid, 'boolean');
    assert.equal(typeof x.refused, 'boolean');
    assert.equal(typeof x.timedOut, 'boolean');
    assert.ok(x.utilization === null || (typeof x.utilization === 'number' && x.utilization > 0 && x.utilization <= 1));
    assert.equal(typeof x.opsPerSec, 'number');
    assert.ok(Array.isArray(x.errors) && (x.errors as unknown[]).every((e) => typeof e === 'string'));
    assert.equal(x.timedOut, false);
  }
  assert.deepEqual(recs.map((x) => `${x.trace}/${x.allocator}`), [
    'short1-bal/tlsf', 'short1-bal/explicit-lifo', 'corners/tlsf', 'corners/explicit-lifo', 'syn-giantmix-short/tlsf', 'syn-giantmix-short/explicit-lifo',
  ]);
  for (const x of recs.slice(0, 4)) {
    assert.equal(x.valid, true, String(x.errors));
    assert.equal(x.refused, false);
    assert.deepEqual(x.errors, []);
    assert.ok((x.opsPerSec as number) > 0 && (x.heapHighWater as number) > 0 && (x.peakLive as number) > 0);
  }
  for (const x of recs.slice(4)) {
    assert.equal(x.refused, true, 'syn-giantmix-short asks for 5.8e16 bytes');
    assert.equal(x.valid, false);
    assert.deepEqual(x.errors, []);
  }
  assert.equal(recs[0]!.path, 'traces/malloclab/short1-bal.rep');
});

test('bench: the table names every trace and allocator, with averages per folder', async () => {
  const r = await heapkit('bench', 'traces/malloclab/short1-bal.rep', 'traces/malloclab/short2-bal.rep', '--alloc', 'segregated,tree-best', '--runs', '1', '--align', '8');
  assert.equal(r.code, 0, r.stderr);
  for (const s of ['Utilization', 'Throughput', 'short1-bal', 'short2-bal', 'segregated', 'tree', 'best', '── malloclab', 'mean (valid)', '4 results: 4 valid, 0 refused, 0 timed out, 0 invalid']) {
    assert.ok(r.stdout.includes(s), `table lacks '${s}':\n${r.stdout}`);
  }
  assert.equal(r.stderr, '', 'no progress bar when stderr is not a terminal');
});

test('bench: a job over the time limit is reported timed out, and the command still ends', async () => {
  const r = await heapkit('bench', 'traces/real/bash-script.rep.gz', '--alloc', 'implicit-first', '--timeout', '0.3', '--runs', '1', '--json');
  assert.equal(r.code, 0, r.stderr);
  const [x] = JSON.parse(r.stdout) as Record<string, unknown>[];
  assert.equal(x!.timedOut, true);
  assert.equal(x!.valid, false);
  assert.equal(x!.trace, 'bash-script');
  assert.ok(r.seconds < 30, `took ${r.seconds} s`);
});

test('bench: bad arguments and malformed traces give a clear error and a non-zero exit code', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heapkit-cli-'));
  const bad = join(dir, 'broken.rep');
  writeFileSync(bad, '1\n2\n3\n0\na 0 8\nq 1 9\nf 0\n');
  const b = await heapkit('bench', bad, '--alloc', 'tlsf', '--json');
  assert.notEqual(b.code, 0);
  const [x] = JSON.parse(b.stdout) as { valid: boolean; errors: string[] }[];
  assert.equal(x!.valid, false);
  assert.match(x!.errors[0]!, /TraceParseError: .*broken\.rep:6: unknown op 'q'/);
  assert.match(b.stderr, /broken\.rep:6: unknown op 'q'/);

  const u = await heapkit('bench', 'traces/malloclab/short1-bal.rep', '--alloc', 'nope');
  assert.notEqual(u.code, 0);
  assert.match(u.stderr, /unknown allocator 'nope'; known: implicit-first/);
  const m = await heapkit('bench', 'no/such/folder');
  assert.notEqual(m.code, 0);
  assert.match(m.stderr, /no such trace file or folder: no\/such\/folder/);
  const a = await heapkit('bench', 'traces/malloclab/short1-bal.rep', '--align', '4');
  assert.notEqual(a.code, 0);
  assert.match(a.stderr, /--align must be 8 or 16/);

  const rp = await heapkit('replay', bad);
  assert.notEqual(rp.code, 0);
  assert.match(rp.stderr, /TraceParseError: .*broken\.rep:6: unknown op 'q'/);
});

test('replay: one validated replay with final stats, as text and as JSON', async () => {
  const r = await heapkit('replay', 'traces/malloclab/csapp3e-autolab/alaska.rep', '--alloc', 'segregated', '--runs', '1');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /alaska: 100000 ops, 50 ids, 1 extra line\(s\) ignored/);
  assert.match(r.stdout, /result {5}valid: 100000\/100000 ops validated/);
  assert.match(r.stdout, /stats\(\) {4}heapBytes \d+, highWater \d+, liveBytes \d+, liveBlocks \d+/);
  const j = await heapkit('replay', 'traces/malloclab-new/syn-largemem-short.rep', '--json', '--align', '8', '--runs', '1');
  assert.equal(j.code, 0, j.stderr);
  const x = JSON.parse(j.stdout) as { valid: boolean; refused: boolean; refusedCount: number; align: number; stats: { highWater: number }; allocator: string };
  assert.equal(x.refused, true);
  assert.equal(x.valid, false);
  assert.ok(x.refusedCount > 0);
  assert.equal(x.align, 8);
  assert.ok(x.stats.highWater > 0);
});

test('allocators: every preset with its description', async () => {
  const r = await heapkit('allocators');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, allocatorNames.length);
  for (const [i, name] of allocatorNames.entries()) assert.ok(lines[i]!.startsWith(name + ' '), lines[i]);
  assert.ok(lines.every((l) => l.trim().split(/\s{2,}/).length >= 2 && l.length > 30));
  const j = await heapkit('allocators', '--json');
  assert.deepEqual((JSON.parse(j.stdout) as { name: string }[]).map((x) => x.name), allocatorNames);
});
