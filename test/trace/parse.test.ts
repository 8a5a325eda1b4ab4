/**
 * parse.test.ts — the `.rep` parser: every quirk of the bundled sets, every malformed-input error
 * (with file and line), a round trip property, and the bundled files themselves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseTrace, TraceParseError, OP_ALLOC, OP_FREE, OP_REALLOC, traceName } from '../../src/index.js';
import { readTraceFile, readTraceFileSync } from '../../src/node/read-trace.js';
import { collectTraceFiles } from '../../src/node/trace-files.js';

const rep = (ids: number, ops: string[], h1 = 1, h4 = 0): string => `${h1}\n${ids}\n${ops.length}\n${h4}\n${ops.join('\n')}\n`;

function parseError(text: string, file = 'bad.rep'): TraceParseError {
  try {
    parseTrace(text, { file });
  } catch (e) {
    assert.ok(e instanceof TraceParseError, `expected TraceParseError, got ${String(e)}`);
    assert.equal(e.name, 'TraceParseError');
    return e;
  }
  assert.fail('expected a TraceParseError');
}

test('parses the three op kinds into typed arrays, with header and lines', () => {
  const t = parseTrace(rep(2, ['a 0 10', 'a 1 20', 'r 0 30', 'f 1', 'f 0'], 20000, 1), { file: 'dir/x-bal.rep' });
  assert.equal(t.name, 'x-bal');
  assert.deepEqual(t.header, [20000, 2, 5, 1]);
  assert.equal(t.length, 5);
  assert.ok(t.kind instanceof Uint8Array && t.id instanceof Int32Array && t.size instanceof Float64Array);
  assert.deepEqual([...t.kind], [OP_ALLOC, OP_ALLOC, OP_REALLOC, OP_FREE, OP_FREE]);
  assert.deepEqual([...t.id], [0, 1, 0, 1, 0]);
  assert.deepEqual([...t.size], [10, 20, 30, 0, 0]);
  assert.deepEqual([...t.line], [5, 6, 7, 8, 9]);
});

test('quirk: f -1 is free(NULL)', () => {
  const t = parseTrace(rep(1, ['f -1', 'a 0 8', 'f -1', 'f 0']));
  assert.equal(t.kind[0], OP_FREE);
  assert.equal(t.id[0], -1);
  assert.equal(t.id[2], -1);
});

test('quirk: realloc of a never-allocated id is a malloc, and r id 0 frees', () => {
  const t = parseTrace(rep(2, ['r 0 16', 'r 0 0', 'a 0 4', 'f 0', 'r 1 0']));
  assert.deepEqual([...t.kind], [OP_REALLOC, OP_REALLOC, OP_ALLOC, OP_FREE, OP_REALLOC]);
  // After `r 0 0` id 0 is free again, so `a 0 4` is legal; freeing it after `r 1 0` would not be.
  const e = parseError(rep(1, ['a 0 8', 'r 0 0', 'f 0']));
  assert.match(e.message, /bad\.rep:7: free of id 0, which is not live/);
});

test('quirk: ids are reused after free', () => {
  const t = parseTrace(rep(1, ['a 0 8', 'f 0', 'a 0 16', 'f 0']));
  assert.deepEqual([...t.size], [8, 0, 16, 0]);
});

test("quirk: 'a id' without a size reuses the last size read (alaska.rep)", () => {
  const t = parseTrace(rep(3, ['a 0 1234', 'a 1 ', 'r 0 99', 'a 2']));
  assert.deepEqual([...t.size], [1234, 1234, 99, 99]);
  const e = parseError(rep(1, ['a 0']));
  assert.match(e.message, /bad\.rep:5: missing size/);
  assert.match(parseError(rep(1, ['a 0 5', 'r 0'])).message, /:6: missing size after 'r 0'/);
});

test('quirk: op lines beyond the header count are ignored', () => {
  const t = parseTrace('0\n2\n2\n0\na 0 8\nf 0\na 1 16\n');
  assert.equal(t.length, 2);
  assert.equal(t.ignoredLines, 1);
  // ...even when they would be malformed: the reference driver never reads them.
  assert.equal(parseTrace('0\n2\n2\n0\na 0 8\nf 0\nzzz\n').length, 2);
});

test('quirk: blank lines and CRLF line ends are tolerated', () => {
  const t = parseTrace('1\r\n2\r\n3\r\n0\r\n\r\na 0 8\r\n\n  a 1 9  \r\nf 0\r\n\r\n');
  assert.deepEqual([...t.size], [8, 9, 0]);
  assert.deepEqual([...t.line], [6, 8, 9]);
});

test('quirk: sizes far beyond 4 GiB stay exact numbers (syn-giant*)', () => {
  const t = parseTrace(rep(3, ['a 0 58432548578713656', 'a 1 4294983680', 'a 2 84048675867312144']));
  assert.equal(t.size[0], 58432548578713656);
  assert.equal(t.size[1], 4294983680);
  assert.equal(t.size[2], Number('84048675867312144'));
  const h = parseTrace('0\n1\n0\n271381219224440744\n');
  assert.equal(h.header[3], 271381219224440744);
});

test('malformed: missing or short header', () => {
  assert.match(parseError('').message, /^bad\.rep:1: missing header: expected 4 header lines, found 0/);
  assert.match(parseError('1\n2\n').message, /^bad\.rep:3: missing header: expected 4 header lines, found 2/);
  assert.match(parseError('1\nx\n3\n0\n').message, /^bad\.rep:2: bad header: the id count 'x' is not a number/);
  assert.match(parseError('1\n2 3\n3\n0\n').message, /^bad\.rep:2: bad header/);
  assert.match(parseError('1\n2\n-3\n0\n').message, /^bad\.rep:3: bad header/);
});

test('malformed: unknown op', () => {
  assert.match(parseError(rep(1, ['a 0 8', 'x 0 8'])).message, /^bad\.rep:6: unknown op 'x'/);
  assert.match(parseError(rep(1, ['alloc 0 8'])).message, /^bad\.rep:5: unknown op 'alloc'/);
});

test('malformed: bad id (not a number, negative, beyond the header count, missing)', () => {
  assert.match(parseError(rep(2, ['a zz 8'])).message, /^bad\.rep:5: bad id 'zz'/);
  assert.match(parseError(rep(2, ['a -1 8'])).message, /^bad\.rep:5: bad id '-1'/);
  assert.match(parseError(rep(2, ['f -2'])).message, /^bad\.rep:5: bad id '-2'/);
  assert.match(parseError(rep(2, ['a 0 8', 'a 2 8'])).message, /^bad\.rep:6: bad id 2: the header declares 2 ids/);
  assert.match(parseError(rep(2, ['f'])).message, /^bad\.rep:5: bad id: op 'f' has no id/);
});

test('malformed: free of an id that is not live, malloc of one that is', () => {
  assert.match(parseError(rep(2, ['a 0 8', 'f 1'])).message, /^bad\.rep:6: free of id 1, which is not live/);
  assert.match(parseError(rep(2, ['a 0 8', 'f 0', 'f 0'])).message, /^bad\.rep:7: free of id 0, which is not live/);
  assert.match(parseError(rep(2, ['a 0 8', 'a 0 8'])).message, /^bad\.rep:6: malloc of id 0, which is still live/);
});

test('malformed: non-numeric size', () => {
  for (const s of ['x', '12k', '-5', '1.5', '0x10']) {
    const e = parseError(rep(1, [`a 0 ${s}`]));
    assert.match(e.message, /^bad\.rep:5: non-numeric size/, s);
    assert.equal(e.line, 5);
    assert.equal(e.file, 'bad.rep');
  }
  assert.match(parseError(rep(1, ['a 0 8', 'r 0 big'])).message, /^bad\.rep:6: non-numeric size 'big'/);
});

test('malformed: truncated trace and extra fields', () => {
  assert.match(parseError('0\n1\n3\n0\na 0 8\nf 0\n').message, /^bad\.rep:7: truncated trace: the header promises 3 ops, found 2/);
  assert.match(parseError(rep(1, ['a 0 8 9'])).message, /^bad\.rep:5: extra field/);
  assert.match(parseError(rep(1, ['a 0 8', 'f 0 8'])).message, /^bad\.rep:6: extra field '8'/);
});

test('gzip reader: .rep.gz decompresses to the same trace; a broken gzip is a TraceParseError', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heapkit-trace-'));
  const text = rep(2, ['a 0 8', 'a 1 16', 'f 0']);
  writeFileSync(join(dir, 't.rep'), text);
  writeFileSync(join(dir, 't.rep.gz'), gzipSync(Buffer.from(text)));
  writeFileSync(join(dir, 'broken.rep.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
  const a = readTraceFileSync(join(dir, 't.rep'));
  const b = await readTraceFile(join(dir, 't.rep.gz'));
  assert.equal(b.name, 't');
  assert.deepEqual([...a.size], [...b.size]);
  assert.throws(() => readTraceFileSync(join(dir, 'broken.rep.gz')), (e: Error) => e.name === 'TraceParseError' && /broken\.rep\.gz:1: cannot decompress/.test(e.message));
  writeFileSync(join(dir, 'bad.rep'), rep(1, ['a 0 8', 'q 0']));
  await assert.rejects(readTraceFile(join(dir, 'bad.rep')), (e: Error) => e.name === 'TraceParseError' && e.message.includes(`${join(dir, 'bad.rep')}:6: unknown op 'q'`));
});

test('traceName strips folders and .rep/.rep.gz', () => {
  assert.equal(traceName('a/b/amptjp-bal.rep'), 'amptjp-bal');
  assert.equal(traceName('real\\python-json.rep.gz'), 'python-json');
  assert.equal(traceName('x.txt'), 'x.txt');
});

test('property: a generated op sequence survives text → parse unchanged', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(2), fc.nat(7), fc.oneof(fc.nat(5000), fc.constantFrom(0, 4294967296, 84048675867312144))), { maxLength: 80 }), (steps) => {
      const live = new Set<number>();
      const lines: string[] = [];
      const want: [number, number, number][] = [];
      for (const [kind, id, size] of steps) {
        if (kind === 0 && !live.has(id)) {
          live.add(id);
          lines.push(`a ${id} ${size}`);
          want.push([OP_ALLOC, id, size]);
        } else if (kind === 1) {
          if (size > 0) live.add(id);
          else live.delete(id);
          lines.push(`r ${id} ${size}`);
          want.push([OP_REALLOC, id, size]);
        } else if (live.has(id)) {
          live.delete(id);
          lines.push(`f ${id}`);
          want.push([OP_FREE, id, 0]);
        } else {
          lines.push('f -1');
          want.push([OP_FREE, -1, 0]);
        }
      }
      const t = parseTrace(rep(8, lines));
      assert.equal(t.length, want.length);
      for (let i = 0; i < want.length; i++) assert.deepEqual([t.kind[i], t.id[i], t.size[i]], want[i]);
    }),
    { numRuns: 200 },
  );
});

test('every bundled trace parses (both dialects of header, .rep and .rep.gz)', () => {
  const files = collectTraceFiles([]);
  assert.ok(files.length >= 100, `found ${files.length} bundled traces`);
  // Parse the plain ones (the big gzipped real-program traces are covered by the CLI tests' reader).
  let ops = 0;
  for (const f of files.filter((f) => f.endsWith('.rep'))) ops += readTraceFileSync(f).length;
  assert.ok(ops > 2_000_000);
  const alaska = readTraceFileSync(files.find((f) => f.endsWith('csapp3e-autolab/alaska.rep'))!);
  assert.equal(alaska.length, 100000);
  assert.equal(alaska.ignoredLines, 1);
});
