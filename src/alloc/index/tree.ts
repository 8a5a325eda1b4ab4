/**
 * tree.ts — a size-ordered AVL tree of free blocks: best fit in O(log n), free in O(log n).
 * Exports `TreeIndex`.
 *
 * Key = (size, address): unique, so equal sizes are ordered by address and best fit takes the lowest
 * address among the smallest fitting blocks. The nodes are the free blocks themselves:
 * ```
 *   b ┌────────────┬─┬─┐
 *     │ size       │P│0│ header
 *     ├────────────┴─┴─┤
 *     │ left           │ b + 4
 *     │ right          │ b + 8
 *     │ parent         │ b + 12     (0 = root)
 *     │ height         │ b + 16     (leaf = 1)
 *     │ …              │
 *     │ footer         │ b + size − 4
 *     └────────────────┘
 * ```
 * so the smallest block this index holds is 24 bytes, rounded to the alignment: 24 (A = 8) or 32 (A = 16).
 * Invariants (check): in-order keys ascend; parent links agree; height = 1 + max(child heights);
 * |height(left) − height(right)| ≤ 1 at every node.
 */
import type { HeapViolation } from '../allocator.js';
import { FLAGS, H_INDEX_AREA, T_HEIGHT, T_LEFT, T_PARENT, T_RIGHT } from '../layout.js';
import type { FreeIndex, FreeIndexView, IndexHost } from './free-index.js';

/** AVL tree of free blocks keyed by (size, address); the root is hcb word `H_INDEX_AREA`. */
export class TreeIndex implements FreeIndex {
  readonly kind = 'tree';
  readonly minBlock: number;
  readonly words = 1;
  private readonly root: number;
  constructor(private readonly h: IndexHost) {
    this.minBlock = h.align === 16 ? 32 : 24;
    this.root = h.hcb + H_INDEX_AREA;
  }

  init(): void {
    this.h.m[this.root] = 0;
  }
  attached(): void {}
  view(): FreeIndexView {
    const m = this.h.m;
    const nodes: { block: number; left: number; right: number }[] = [];
    const stack = m[this.root] !== 0 ? [m[this.root]] : [];
    while (stack.length > 0 && nodes.length < 1 << 22) {
      const n = stack.pop()!;
      const left = m[(n + T_LEFT) >>> 2];
      const right = m[(n + T_RIGHT) >>> 2];
      nodes.push({ block: n, left, right });
      if (left !== 0) stack.push(left);
      if (right !== 0) stack.push(right);
    }
    return { kind: 'tree', nodes, root: m[this.root] };
  }
  coalesced(): void {}

  private less(m: Uint32Array, a: number, b: number): boolean {
    const sa = m[a >>> 2] & ~FLAGS;
    const sb = m[b >>> 2] & ~FLAGS;
    return sa < sb || (sa === sb && a < b);
  }

  private height(m: Uint32Array, n: number): number {
    return n === 0 ? 0 : m[(n + T_HEIGHT) >>> 2];
  }

  private fix(m: Uint32Array, n: number): void {
    const l = this.height(m, m[(n + T_LEFT) >>> 2]);
    const r = this.height(m, m[(n + T_RIGHT) >>> 2]);
    m[(n + T_HEIGHT) >>> 2] = (l > r ? l : r) + 1;
  }

  private replaceChild(m: Uint32Array, parent: number, old: number, nu: number): void {
    if (parent === 0) m[this.root] = nu;
    else if (m[(parent + T_LEFT) >>> 2] === old) m[(parent + T_LEFT) >>> 2] = nu;
    else m[(parent + T_RIGHT) >>> 2] = nu;
  }

  /** Rotates `x` down to the left (its right child comes up); returns the new subtree root. */
  private rotateLeft(m: Uint32Array, x: number): number {
    const y = m[(x + T_RIGHT) >>> 2];
    const yl = m[(y + T_LEFT) >>> 2];
    m[(x + T_RIGHT) >>> 2] = yl;
    if (yl !== 0) m[(yl + T_PARENT) >>> 2] = x;
    const p = m[(x + T_PARENT) >>> 2];
    m[(y + T_PARENT) >>> 2] = p;
    this.replaceChild(m, p, x, y);
    m[(y + T_LEFT) >>> 2] = x;
    m[(x + T_PARENT) >>> 2] = y;
    this.fix(m, x);
    this.fix(m, y);
    return y;
  }

  private rotateRight(m: Uint32Array, x: number): number {
    const y = m[(x + T_LEFT) >>> 2];
    const yr = m[(y + T_RIGHT) >>> 2];
    m[(x + T_LEFT) >>> 2] = yr;
    if (yr !== 0) m[(yr + T_PARENT) >>> 2] = x;
    const p = m[(x + T_PARENT) >>> 2];
    m[(y + T_PARENT) >>> 2] = p;
    this.replaceChild(m, p, x, y);
    m[(y + T_RIGHT) >>> 2] = x;
    m[(x + T_PARENT) >>> 2] = y;
    this.fix(m, x);
    this.fix(m, y);
    return y;
  }

  /** Walks from `n` to the root restoring heights and balance. */
  private retrace(m: Uint32Array, n: number): void {
    while (n !== 0) {
      this.fix(m, n);
      const l = m[(n + T_LEFT) >>> 2];
      const r = m[(n + T_RIGHT) >>> 2];
      const bf = this.height(m, l) - this.height(m, r);
      if (bf > 1) {
        if (this.height(m, m[(l + T_LEFT) >>> 2]) < this.height(m, m[(l + T_RIGHT) >>> 2])) this.rotateLeft(m, l);
        n = this.rotateRight(m, n);
      } else if (bf < -1) {
        if (this.height(m, m[(r + T_RIGHT) >>> 2]) < this.height(m, m[(r + T_LEFT) >>> 2])) this.rotateRight(m, r);
        n = this.rotateLeft(m, n);
      }
      n = m[(n + T_PARENT) >>> 2];
    }
  }

  insert(b: number): void {
    const m = this.h.m;
    m[(b + T_LEFT) >>> 2] = 0;
    m[(b + T_RIGHT) >>> 2] = 0;
    m[(b + T_HEIGHT) >>> 2] = 1;
    let parent = 0;
    let cur = m[this.root];
    let left = false;
    while (cur !== 0) {
      parent = cur;
      left = this.less(m, b, cur);
      cur = m[(cur + (left ? T_LEFT : T_RIGHT)) >>> 2];
    }
    m[(b + T_PARENT) >>> 2] = parent;
    if (parent === 0) m[this.root] = b;
    else m[(parent + (left ? T_LEFT : T_RIGHT)) >>> 2] = b;
    this.retrace(m, parent);
  }

  remove(z: number): void {
    const m = this.h.m;
    const zl = m[(z + T_LEFT) >>> 2];
    const zr = m[(z + T_RIGHT) >>> 2];
    // y: the node actually unlinked — z itself, or its in-order successor when z has two children
    let y = z;
    if (zl !== 0 && zr !== 0) {
      y = zr;
      while (m[(y + T_LEFT) >>> 2] !== 0) y = m[(y + T_LEFT) >>> 2];
    }
    const x = m[(y + T_LEFT) >>> 2] !== 0 ? m[(y + T_LEFT) >>> 2] : m[(y + T_RIGHT) >>> 2];
    let start = m[(y + T_PARENT) >>> 2];
    this.replaceChild(m, start, y, x);
    if (x !== 0) m[(x + T_PARENT) >>> 2] = start;
    if (y !== z) {
      // put y where z was
      if (start === z) start = y;
      const l = m[(z + T_LEFT) >>> 2];
      const r = m[(z + T_RIGHT) >>> 2];
      const p = m[(z + T_PARENT) >>> 2];
      m[(y + T_LEFT) >>> 2] = l;
      m[(y + T_RIGHT) >>> 2] = r;
      m[(y + T_PARENT) >>> 2] = p;
      m[(y + T_HEIGHT) >>> 2] = m[(z + T_HEIGHT) >>> 2];
      if (l !== 0) m[(l + T_PARENT) >>> 2] = y;
      if (r !== 0) m[(r + T_PARENT) >>> 2] = y;
      this.replaceChild(m, p, z, y);
    }
    this.retrace(m, start);
  }

  find(asize: number): number {
    const m = this.h.m;
    let best = 0;
    let n = m[this.root];
    while (n !== 0) {
      if ((m[n >>> 2] & ~FLAGS) >= asize) {
        best = n;
        n = m[(n + T_LEFT) >>> 2];
      } else n = m[(n + T_RIGHT) >>> 2];
    }
    return best;
  }

  check(free: Map<number, number>, out: HeapViolation[]): void {
    const m = this.h.m;
    const seen = new Set<number>();
    let prev = 0;
    // iterative in-order walk with an explicit stack (no recursion-depth limit)
    const stack: number[] = [];
    let n = m[this.root];
    if (n !== 0 && m[(n + T_PARENT) >>> 2] !== 0) out.push({ address: n, message: 'tree root has a parent' });
    while (n !== 0 || stack.length > 0) {
      while (n !== 0) {
        if (!free.has(n) || seen.has(n)) {
          out.push({ address: n, message: seen.has(n) ? 'tree node reached twice (cycle)' : 'tree node is not a free block of the heap' });
          return;
        }
        seen.add(n);
        stack.push(n);
        n = m[(n + T_LEFT) >>> 2];
      }
      n = stack.pop()!;
      const l = m[(n + T_LEFT) >>> 2];
      const r = m[(n + T_RIGHT) >>> 2];
      if (l !== 0 && m[(l + T_PARENT) >>> 2] !== n) out.push({ address: l, message: `parent link should be ${n}` });
      if (r !== 0 && m[(r + T_PARENT) >>> 2] !== n) out.push({ address: r, message: `parent link should be ${n}` });
      const hl = this.height(m, l);
      const hr = this.height(m, r);
      if (m[(n + T_HEIGHT) >>> 2] !== Math.max(hl, hr) + 1) out.push({ address: n, message: `height ${m[(n + T_HEIGHT) >>> 2]} should be ${Math.max(hl, hr) + 1}` });
      if (Math.abs(hl - hr) > 1) out.push({ address: n, message: `AVL balance violated (left ${hl}, right ${hr})` });
      if (prev !== 0 && !this.less(m, prev, n)) out.push({ address: n, message: 'tree keys not in (size, address) order' });
      prev = n;
      n = r;
    }
    for (const b of free.keys()) if (!seen.has(b)) out.push({ address: b, message: 'free block missing from the tree' });
  }
}
