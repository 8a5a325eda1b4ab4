/**
 * v8-workloads.ts — binary-trees and GCBench on plain V8 objects, the same shapes as heapkit's managed
 * workloads (src/gc/workloads.ts), so V8's own collector is measured on the same work. Exports
 * `v8BinaryTrees`, `v8GcBench` (each returns whether its checksums held).
 */
class TreeNode {
  constructor(
    public left: TreeNode | null,
    public right: TreeNode | null,
  ) {}
}
const bottomUp = (d: number): TreeNode => (d > 0 ? new TreeNode(bottomUp(d - 1), bottomUp(d - 1)) : new TreeNode(null, null));
const check = (t: TreeNode): number => (t.left === null ? 1 : 1 + check(t.left) + check(t.right!));

/** binary-trees (Benchmarks Game) at depth `n`: returns true when every checksum holds. */
export function v8BinaryTrees(n: number): boolean {
  const maxDepth = Math.max(6, n);
  let ok = check(bottomUp(maxDepth + 1)) === 2 ** (maxDepth + 2) - 1;
  const longLived = bottomUp(maxDepth);
  for (let d = 4; d <= maxDepth; d += 2) {
    const iters = 1 << (maxDepth - d + 4);
    let c = 0;
    for (let i = 0; i < iters; i++) c += check(bottomUp(d));
    ok &&= c === iters * (2 ** (d + 1) - 1);
  }
  return ok && check(longLived) === 2 ** (maxDepth + 1) - 1;
}

class GNode {
  left: GNode | null = null;
  right: GNode | null = null;
  i = 0;
  j = 0;
}
const treeSize = (i: number): number => (1 << (i + 1)) - 1;
function populate(d: number, n: GNode): void {
  if (d <= 0) return;
  n.left = new GNode();
  n.right = new GNode();
  populate(d - 1, n.left);
  populate(d - 1, n.right);
}
function makeTree(d: number): GNode {
  if (d <= 0) return new GNode();
  const n = new GNode();
  n.left = makeTree(d - 1);
  n.right = makeTree(d - 1);
  return n;
}
const gcheck = (t: GNode): number => (t.left === null ? 1 : 1 + gcheck(t.left) + gcheck(t.right!));

/** Boehm's GCBench at stretch depth `stretch`: returns true when every checksum holds. */
export function v8GcBench(stretch: number): boolean {
  const kLong = stretch - 2;
  let ok = gcheck(makeTree(stretch)) === treeSize(stretch);
  const longLived = new GNode();
  populate(kLong, longLived);
  const arr = new Float64Array(stretch >= 18 ? 500000 : Math.max(1000, 500000 >> (18 - stretch)));
  for (let i = 0; i < arr.length / 2; i++) arr[i] = 1.0 / i;
  for (let d = 4; d <= kLong; d += 2) {
    const iters = Math.floor((2 * treeSize(stretch)) / treeSize(d));
    let t = new GNode();
    for (let i = 0; i < iters; i++) {
      t = new GNode();
      populate(d, t);
    }
    ok &&= gcheck(t) === treeSize(d);
    for (let i = 0; i < iters; i++) t = makeTree(d);
    ok &&= gcheck(t) === treeSize(d);
  }
  return ok && gcheck(longLived) === treeSize(kLong) && arr[1000] === 1 / 1000;
}
