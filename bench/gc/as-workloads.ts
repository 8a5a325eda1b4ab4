/**
 * as-workloads.ts — binary-trees and GCBench written in AssemblyScript (source below), compiled with asc -O3
 * against its 'minimal' runtime (TLSF + mark-sweep triggered by `__collect()` between trees, long-lived data in
 * globals since that runtime does not scan the Wasm stack) or its 'incremental' runtime (automatic incremental
 * tri-colour collector). Exports `compileAs`. The runtimes give no pause data; they are timed from JavaScript.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const AS_SOURCE = `
class TNode { constructor(public left: TNode | null, public right: TNode | null) {} }
function bottomUp(d: i32): TNode { return d > 0 ? new TNode(bottomUp(d - 1), bottomUp(d - 1)) : new TNode(null, null); }
function check(t: TNode): i32 { const l = t.left; if (l === null) return 1; return 1 + check(l) + check(t.right!); }
let longLived: TNode | null = null;
export function binaryTrees(n: i32, manual: i32): i32 {
  const maxDepth = max(6, n);
  let ok = check(bottomUp(maxDepth + 1)) == (1 << (maxDepth + 2)) - 1;
  if (manual) __collect();
  longLived = bottomUp(maxDepth);
  for (let d = 4; d <= maxDepth; d += 2) {
    const iters = 1 << (maxDepth - d + 4);
    const every = max(1, (1 << 20) >> (d + 1));
    let c = 0;
    for (let i = 0; i < iters; i++) {
      c += check(bottomUp(d));
      if (manual && i % every == every - 1) __collect();
    }
    ok = ok && c == iters * ((1 << (d + 1)) - 1);
  }
  ok = ok && check(longLived!) == (1 << (maxDepth + 1)) - 1;
  longLived = null;
  if (manual) __collect();
  return ok ? 1 : 0;
}
class GNode { left: GNode | null = null; right: GNode | null = null; i: i32 = 0; j: i32 = 0; }
function populate(d: i32, n: GNode): void {
  if (d <= 0) return;
  d--;
  n.left = new GNode();
  n.right = new GNode();
  populate(d, n.left!);
  populate(d, n.right!);
}
function makeTree(d: i32): GNode {
  if (d <= 0) return new GNode();
  const n = new GNode();
  n.left = makeTree(d - 1);
  n.right = makeTree(d - 1);
  return n;
}
function gcheck(t: GNode): i32 { const l = t.left; if (l === null) return 1; return 1 + gcheck(l) + gcheck(t.right!); }
function treeSize(i: i32): i32 { return (1 << (i + 1)) - 1; }
let gLong: GNode | null = null;
let gArray: Float64Array | null = null;
let gTmp: GNode | null = null;
export function gcBench(stretch: i32, manual: i32): i32 {
  const kLong = stretch - 2;
  const kArray = stretch >= 18 ? 500000 : max(1000, 500000 >> (18 - stretch));
  let ok = gcheck(makeTree(stretch)) == treeSize(stretch);
  if (manual) __collect();
  gLong = new GNode();
  populate(kLong, gLong!);
  gArray = new Float64Array(kArray);
  for (let i = 0; i < kArray / 2; i++) gArray![i] = 1.0 / i;
  for (let d = 4; d <= kLong; d += 2) {
    const iters = (2 * treeSize(stretch)) / treeSize(d);
    const every = max(1, (1 << 20) >> (d + 1));
    for (let i = 0; i < iters; i++) {
      gTmp = new GNode();
      populate(d, gTmp!);
      if (manual && i % every == every - 1) __collect();
    }
    ok = ok && gcheck(gTmp!) == treeSize(d);
    for (let i = 0; i < iters; i++) {
      gTmp = makeTree(d);
      if (manual && i % every == every - 1) __collect();
    }
    ok = ok && gcheck(gTmp!) == treeSize(d);
  }
  ok = ok && gcheck(gLong!) == treeSize(kLong) && gArray![1000] == 1.0 / 1000;
  gLong = null; gArray = null; gTmp = null;
  if (manual) __collect();
  return ok ? 1 : 0;
}
`;

/** Compiles the AssemblyScript workloads for `runtime` ('minimal' | 'incremental') and returns the exports. */
export function compileAs(runtime: string): Record<string, (...a: number[]) => number> {
  const dir = mkdtempSync(join(tmpdir(), 'heapkit-gc-as-'));
  const src = join(dir, 'workloads.ts');
  const out = join(dir, 'workloads.wasm');
  writeFileSync(src, AS_SOURCE);
  const here = dirname(fileURLToPath(import.meta.url));
  const asc = join(here, '..', '..', 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  execFileSync(process.execPath, [asc, src, '--runtime', runtime, '-O3', '--noAssert', '--initialMemory', '256', '-o', out], { stdio: ['ignore', 'ignore', 'inherit'] });
  const mod = new WebAssembly.Module(readFileSync(out));
  const inst = new WebAssembly.Instance(mod, {
    env: {
      abort: (_m: number, _f: number, line: number, col: number) => {
        throw new Error(`AssemblyScript abort at ${line}:${col}`);
      },
      seed: () => Date.now(),
    },
  });
  return inst.exports as unknown as Record<string, (...a: number[]) => number>;
}
