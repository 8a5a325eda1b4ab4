/**
 * page-table.ts — a two-level radix page table (like i386's page directory + page tables) and the PTE layout.
 * Exports `PageTable`, the PTE bits `PTE_P`, `PTE_C`, `PTE_A`, `PTE_D`, `PTE_S`, and `pteFrame`.
 *
 * Why two levels and not a flat table: a flat table for a 32-bit space with 4 KiB pages has 2^20
 * entries (4 MiB per process), and `fork()` would have to copy all of it — time proportional to the
 * address-space size, not to the mapped pages. A hash map would be sparse but slow on the TLB-miss
 * path and unlike real hardware. Two levels (x86-64 uses four because its addresses are 48 bits; ours
 * are 32) keep empty regions free: a directory slot holds `null` until a page below it is mapped, and
 * fork walks only the leaf tables that exist (`leaves` lists them). A leaf is freed when its last
 * present entry goes.
 *
 * A virtual address splits as (for pageSize = 4096: 10 | 10 | 12 bits; in general the vpn's bits are halved):
 * ```
 *   31            dirShift          shift            0
 *   +----------------+----------------+---------------+
 *   |  directory idx |   leaf index   |  page offset  |
 *   +----------------+----------------+---------------+
 *   \________________ vpn ___________/
 * ```
 * A page-table entry (PTE) is one Int32; 0 means not present:
 * ```
 *   31                                8   7   6   5   4   3   2   1   0
 *   +-----------------------------------+---+---+---+---+---+---+---+---+
 *   |           frame number            | S | D | A | C | X | W | R | P |
 *   +-----------------------------------+---+---+---+---+---+---+---+---+
 *   P present · R readable · W writable (hardware permission: cleared on COW pages)
 *   X executable · C copy-on-write (the frame may be shared: a write must go through the fault handler)
 *   A accessed (set on TLB fill) · D dirty (set on a write fill) · S belongs to a shared mapping
 * ```
 */

/** Present. */
export const PTE_P = 1 << 0;
/** Copy-on-write: the frame may be shared with another page table or a memory object; writes fault. */
export const PTE_C = 1 << 4;
/** Accessed (set when the TLB is filled from this entry). */
export const PTE_A = 1 << 5;
/** Dirty (set when the TLB is filled for a write). */
export const PTE_D = 1 << 6;
/** Page of a shared mapping (fork keeps it shared rather than COW). */
export const PTE_S = 1 << 7;
/** Bits below the frame number. */
export const PTE_FLAGS = 0xff;

/** Frame number of a PTE. */
export function pteFrame(pte: number): number {
  return pte >>> 8;
}

/** A two-level page table: directory of leaf tables of PTEs. */
export class PageTable {
  /** log2(entries per leaf). */
  readonly leafBits: number;
  /** entries per leaf − 1. */
  readonly leafMask: number;
  /** Leaf tables by directory index (null = nothing mapped below). */
  readonly dir: (Int32Array | null)[];
  /** Present entries per leaf. */
  readonly dirCount: Int32Array;
  /** Present entries in the whole table. */
  present = 0;

  /** `vpnBits`: bits of a virtual page number (32 − log2(pageSize)). */
  constructor(vpnBits: number) {
    this.leafBits = Math.ceil(vpnBits / 2);
    this.leafMask = (1 << this.leafBits) - 1;
    const dirSize = 1 << (vpnBits - this.leafBits);
    this.dir = new Array<Int32Array | null>(dirSize).fill(null);
    this.dirCount = new Int32Array(dirSize);
  }

  /** The PTE of `vpn` (0 when not present). */
  get(vpn: number): number {
    const leaf = this.dir[vpn >>> this.leafBits];
    return leaf === null ? 0 : leaf[vpn & this.leafMask];
  }

  /** Replaces the flags of a present entry (the frame stays). */
  setFlags(vpn: number, flags: number): void {
    const leaf = this.dir[vpn >>> this.leafBits] as Int32Array;
    const i = vpn & this.leafMask;
    leaf[i] = (leaf[i] & ~PTE_FLAGS) | (flags & PTE_FLAGS) | PTE_P;
  }

  /** Sets the entry of `vpn` to a present `pte` (allocating the leaf if needed). */
  set(vpn: number, pte: number): void {
    const d = vpn >>> this.leafBits;
    let leaf = this.dir[d];
    if (leaf === null) leaf = this.dir[d] = new Int32Array(this.leafMask + 1);
    const i = vpn & this.leafMask;
    if (leaf[i] === 0) {
      this.dirCount[d]++;
      this.present++;
    }
    leaf[i] = pte;
  }

  /** Clears the entry of `vpn`; returns the old PTE (0 if it was not present). Frees an emptied leaf. */
  clear(vpn: number): number {
    const d = vpn >>> this.leafBits;
    const leaf = this.dir[d];
    if (leaf === null) return 0;
    const i = vpn & this.leafMask;
    const old = leaf[i];
    if (old !== 0) {
      leaf[i] = 0;
      this.present--;
      if (--this.dirCount[d] === 0) this.dir[d] = null;
    }
    return old;
  }

  /**
   * Calls `fn(vpn, pte)` for every present entry with `from <= vpn < to`, in order, skipping absent
   * leaf tables whole. `fn` may change or clear the entry it is given (not others).
   */
  forEach(from: number, to: number, fn: (vpn: number, pte: number) => void): void {
    const bits = this.leafBits;
    let vpn = from;
    while (vpn < to) {
      const d = vpn >>> bits;
      const leafEnd = Math.min(to, (d + 1) * (this.leafMask + 1));
      const leaf = this.dir[d];
      if (leaf !== null) {
        for (let v = vpn; v < leafEnd; v++) {
          const pte = leaf[v & this.leafMask];
          if (pte !== 0) fn(v, pte);
          if (this.dir[d] === null) break; // fn cleared the leaf's last entry
        }
      }
      vpn = leafEnd;
    }
  }

  /** Directory indexes of the leaf tables that exist, ascending. */
  leafIndexes(): number[] {
    const out: number[] = [];
    for (let d = 0; d < this.dir.length; d++) if (this.dir[d] !== null) out.push(d);
    return out;
  }

  /** Lists violated invariants: counts agree with the entries. */
  check(): string[] {
    const out: string[] = [];
    let total = 0;
    for (let d = 0; d < this.dir.length; d++) {
      const leaf = this.dir[d];
      let n = 0;
      if (leaf !== null) for (let i = 0; i < leaf.length; i++) if (leaf[i] !== 0) n++;
      if (n !== this.dirCount[d]) out.push(`leaf ${d}: ${n} present entries but count ${this.dirCount[d]}`);
      if (leaf !== null && n === 0) out.push(`leaf ${d} is empty but not freed`);
      total += n;
    }
    if (total !== this.present) out.push(`${total} present entries but count ${this.present}`);
    return out;
  }
}
