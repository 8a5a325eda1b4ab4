/**
 * record.test.ts — `heapkit record`: the log-to-.rep rules (unit and property-based against a model heap)
 * and a real recording of a small C program compiled here with the system C compiler.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import { logToRep, recordProgram, buildPreload, CompilerNotFoundError, ProgramStartError } from '../../src/node/record/index.js';

const hx = (n: number): string => n.toString(16);

test('conversion rules: calloc/aligned → a, realloc(NULL) → a, realloc(p,0) → f, free(NULL) and unknown frees dropped', () => {
  const log = [
    'P 10 1',
    `m ${hx(24)} 1000`, // a 0 24
    `c 4 8 2000`, // a 1 32
    `A 40 ${hx(100)} 3000`, // a 2 100
    `r 0 ${hx(7)} 4000`, // realloc(NULL,7) → a 3 7
    'f 0', // free(NULL) dropped
    'f 9999', // unknown dropped
    `r 1000 ${hx(300)} 5000`, // r 0 300, moved
    `r 2000 0 0`, // realloc(p,0) → f 1
    `r 3000 ${hx(1 << 20)} 0`, // failed realloc: dropped, block 2 stays
    `m ${hx(5)} 0`, // failed malloc dropped
    'f 5000', // f 0
    'f 1000', // stale pointer (moved by realloc): unknown, dropped
  ].join('\n');
  const { rep, summary } = logToRep(log);
  assert.equal(rep, ['0', '4', '7', '1', 'a 0 24', 'a 1 32', 'a 2 100', 'a 3 7', 'r 0 300', 'f 1', 'f 0', ''].join('\n'));
  assert.deepEqual(summary, { ids: 4, ops: 7, freeNull: 1, unknownFrees: 2, failed: 2, liveAtEnd: 2 });
});

test('sizes beyond 2^53 are written exactly', () => {
  const { rep } = logToRep(`m ffffffffffffff 10\nc 100000000 100000000 20`);
  assert.match(rep, /a 0 72057594037927935\na 1 18446744073709551616\n/);
});

test('a line the log cannot hold is a SyntaxError naming its line', () => {
  assert.throws(() => logToRep('m 1 10\nx nonsense'), (e: Error) => e.name === 'SyntaxError' && /line 2/.test(e.message));
});

test('property: replaying the .rep reproduces the live blocks of a random C heap history', () => {
  type Call = { k: 'm' | 'c' | 'A' | 'r' | 'f'; pick: number; size: number; fail: boolean };
  const call = fc.record({
    k: fc.constantFrom('m', 'c', 'A', 'r', 'f') as fc.Arbitrary<Call['k']>,
    pick: fc.nat(50),
    size: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5000 })),
    fail: fc.nat(9).map((n) => n === 0),
  });
  fc.assert(
    fc.property(fc.array(call, { maxLength: 120 }), (calls) => {
      // C side: a model heap that reuses freed addresses (as real allocators do)
      const live = new Map<number, number>(); // address → size
      const freed: number[] = [];
      let top = 0x1000;
      const fresh = (): number => freed.pop() ?? (top += 0x100);
      const lines: string[] = ['P 1 0'];
      const anyLive = (pick: number): number => {
        const ks = [...live.keys()];
        return ks.length && pick < 40 ? ks[pick % ks.length]! : pick === 50 ? 0 : 0xdead0 + pick * 16; // live, NULL, or unknown
      };
      for (const c of calls) {
        if (c.k === 'f') {
          const p = anyLive(c.pick);
          lines.push(`f ${hx(p)}`);
          if (live.delete(p)) freed.push(p);
        } else if (c.k === 'r') {
          const p = anyLive(c.pick);
          if (p !== 0 && c.size === 0) {
            lines.push(`r ${hx(p)} 0 0`); // realloc(p, 0) frees (or, for an unknown p, is dropped)
            if (live.delete(p)) freed.push(p);
          } else if (c.fail) lines.push(`r ${hx(p)} ${hx(c.size)} 0`); // failed: nothing changes
          else {
            const q = fresh();
            lines.push(`r ${hx(p)} ${hx(c.size)} ${hx(q)}`);
            if (live.delete(p)) freed.push(p);
            live.set(q, c.size);
          }
        } else {
          const q = c.fail ? 0 : fresh();
          lines.push(c.k === 'm' ? `m ${hx(c.size)} ${hx(q)}` : c.k === 'c' ? `c 1 ${hx(c.size)} ${hx(q)}` : `A 10 ${hx(c.size)} ${hx(q)}`);
          if (q) live.set(q, c.size);
        }
      }
      const { rep, summary } = logToRep(lines.join('\n'));
      // .rep side: replay by id
      const [h1, h2, h3, h4, ...ops] = rep.trimEnd().split('\n');
      assert.equal(h1, '0');
      assert.equal(h4, '1');
      assert.equal(ops.length, Number(h3));
      const ids = new Map<number, number>();
      let nextId = 0;
      for (const op of ops) {
        const [k, id, sz] = op.split(' ');
        if (k === 'a') {
          assert.equal(Number(id), nextId++, 'ids dense in allocation order');
          ids.set(Number(id), Number(sz));
        } else if (k === 'r') {
          assert.ok(ids.has(Number(id)), 'realloc of a live id');
          ids.set(Number(id), Number(sz));
        } else {
          assert.ok(ids.delete(Number(id)), 'free of a live id');
        }
      }
      assert.equal(nextId, Number(h2));
      assert.equal(summary.liveAtEnd, live.size);
      assert.deepEqual([...ids.values()].sort((a, b) => a - b), [...live.values()].sort((a, b) => a - b));
    }),
    { numRuns: 300 },
  );
});

const hasCC = spawnSync('cc', ['--version']).status === 0;

test('records a small C program compiled here (gzipped .rep, exit code kept)', { skip: hasCC ? false : 'no C compiler on this machine' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heapkit-rec-test-'));
  const src = join(dir, 'prog.c');
  writeFileSync(
    src,
    `#include <stdlib.h>
#include <malloc.h>
int main(int argc, char **argv) {
  int n = atoi(argv[1]);
  void *keep[64];
  for (int i = 0; i < n; i++) keep[i] = malloc(16 + i);   /* a 0..n-1 */
  void *z = calloc(3, 10);                                  /* a n 30 */
  keep[0] = realloc(keep[0], 1000);                         /* r 0 1000 */
  void *q = realloc(NULL, 5);                               /* a n+1 5 */
  void *al; if (posix_memalign(&al, 64, 100)) return 9;     /* a n+2 100 */
  void *aa = aligned_alloc(32, 64);                         /* a n+3 64 */
  void *ma = memalign(16, 48);                              /* a n+4 48 */
  free((void *)0);                                          /* dropped */
  (void)realloc(q, 0);                                      /* f n+1 */
  free(z); free(al); free(aa); free(ma);                    /* f n, n+2, n+3, n+4 */
  for (int i = 0; i < n; i += 2) free(keep[i]);
  return 7;
}
`,
  );
  const exe = join(dir, 'prog');
  execFileSync('cc', ['-O0', '-fno-builtin', '-o', exe, src]);
  const out = join(dir, 'out.rep.gz');
  const cacheDir = join(dir, 'cache');
  const r = await recordProgram({ program: exe, args: ['6'], out, cacheDir, stdio: 'ignore' });
  assert.equal(r.exitCode, 7);
  assert.equal(r.cachedLibrary, false);
  const rep = gunzipSync(readFileSync(out)).toString('utf8');
  const ops = rep.trimEnd().split('\n').slice(4);
  const expect = [
    ...[0, 1, 2, 3, 4, 5].map((i) => `a ${i} ${16 + i}`),
    'a 6 30',
    'r 0 1000',
    'a 7 5',
    'a 8 100',
    'a 9 64',
    'a 10 48',
    'f 7',
    'f 6',
    'f 8',
    'f 9',
    'f 10',
    'f 0',
    'f 2',
    'f 4',
  ];
  // glibc's own start-up may add calls before main (none on glibc 2.36): find the program's run inside the trace
  const start = ops.findIndex((l, i) => l.startsWith('a ') && ops[i + 6] === `a ${Number(l.split(' ')[1]) + 6} 30`);
  assert.ok(start >= 0, rep);
  const base = Number(ops[start]!.split(' ')[1]);
  const shifted = expect.map((l) => l.replace(/^([arf]) (\d+)/, (_, k: string, id: string) => `${k} ${Number(id) + base}`));
  assert.deepEqual(ops.slice(start, start + expect.length), shifted);
  assert.equal(rep.split('\n')[1], String(r.ids));
  assert.equal(r.freeNull >= 1, true);
  // second use comes from the cache
  const r2 = await recordProgram({ program: exe, args: ['2'], out: join(dir, 'two.rep'), cacheDir, stdio: 'ignore' });
  assert.equal(r2.cachedLibrary, true);
  assert.match(readFileSync(join(dir, 'two.rep'), 'utf8'), /^0\n\d+\n\d+\n1\n/);
});

test('clear errors: no C compiler, program not found', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'heapkit-rec-err-'));
  await assert.rejects(buildPreload({ cc: '/nonexistent/cc', cacheDir: dir }), (e: Error) => {
    assert.ok(e instanceof CompilerNotFoundError);
    assert.equal(e.name, 'CompilerNotFoundError');
    assert.match(e.message, /no C compiler found .*CC/);
    return true;
  });
  if (!hasCC) return;
  await assert.rejects(
    recordProgram({ program: '/nonexistent/prog', out: join(dir, 'x.rep'), cacheDir: join(dir, 'c') }),
    (e: Error) => e instanceof ProgramStartError && /not found/.test(e.message),
  );
});
