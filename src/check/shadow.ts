/**
 * shadow.ts — AddressSanitizer-style shadow memory: one shadow byte per 8-byte granule of the heap.
 * Exports `ShadowMap`, the shadow codes (`SHADOW_*`), `GRANULE` and the canary byte values.
 *
 * ```
 *  application bytes   | g0 (8 B) | g1 (8 B) | g2 (8 B) | g3 (8 B) | g4 (8 B) | ...
 *  shadow byte         |    fa    |    00    |    00    |    05    |    fb    | ...
 *                       left rz    payload    payload    5 of 8     right rz
 *                                                        addressable
 * ```
 *
 * Legend (the values ASan prints, plus `fe` for bytes that belong to no debug block):
 * | shadow | meaning                                                        |
 * |--------|----------------------------------------------------------------|
 * | 00     | all 8 bytes of the granule are addressable (a live payload)     |
 * | 01..07 | only the first k bytes are addressable (the payload ends there) |
 * | fa     | heap left redzone                                               |
 * | fb     | heap right redzone (starts at the first byte past the request)  |
 * | fd     | freed heap region (the block sits in quarantine)                |
 * | fe     | not a debug block: allocator headers, free blocks, unused heap  |
 *
 * Invariant: a granule is fully addressable iff its shadow is 0; a shadow `k` in 1..7 means bytes
 * `[0, k)` of the granule are addressable; any value ≥ 8 poisons the whole granule.
 */

/** Bytes of application memory described by one shadow byte. */
export const GRANULE = 8;
/** Shadow code: heap left redzone. */
export const SHADOW_LEFT_REDZONE = 0xfa;
/** Shadow code: heap right redzone. */
export const SHADOW_RIGHT_REDZONE = 0xfb;
/** Shadow code: freed heap region (quarantined). */
export const SHADOW_FREED = 0xfd;
/** Shadow code: memory that belongs to no debug block (allocator metadata, free blocks). */
export const SHADOW_UNOWNED = 0xfe;

/** Canary byte written into every left redzone. */
export const CANARY_LEFT = 0xfa;
/** Canary byte written into every right redzone (including the tail of a partial granule). */
export const CANARY_RIGHT = 0xfb;
/** Poison byte written over freed payloads while they sit in quarantine. */
export const POISON_FREED = 0xfd;

/** The legend printed under every shadow dump. */
export const SHADOW_LEGEND =
  'Shadow byte legend (one shadow byte represents 8 application bytes):\n' +
  '  Addressable: 00   Partially addressable: 01 02 03 04 05 06 07\n' +
  '  Heap left redzone: fa   Heap right redzone: fb   Freed heap region: fd   Not a debug block: fe';

function hex2(v: number): string {
  return (v < 16 ? '0' : '') + v.toString(16);
}

function hex8(a: number): string {
  return '0x' + (a >>> 0).toString(16).padStart(8, '0');
}

/**
 * The shadow of a linear memory: `bytes[a >>> 3]` describes application bytes `[a & ~7, (a & ~7) + 8)`.
 * Grows with the memory (call {@link ShadowMap.ensure} after anything that may grow it); new granules
 * start as {@link SHADOW_UNOWNED}.
 */
export class ShadowMap {
  /** The shadow bytes; index = address >>> 3. Replaced on growth. */
  bytes: Uint8Array;

  constructor(capacityBytes: number) {
    this.bytes = new Uint8Array(Math.ceil(capacityBytes / GRANULE));
    this.bytes.fill(SHADOW_UNOWNED);
  }

  /** Makes the shadow cover `capacityBytes` of application memory (growing only). */
  ensure(capacityBytes: number): void {
    const need = Math.ceil(capacityBytes / GRANULE);
    if (need <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(need, this.bytes.length * 2));
    next.set(this.bytes);
    next.fill(SHADOW_UNOWNED, this.bytes.length);
    this.bytes = next;
  }

  /** Sets every granule that overlaps `[addr, addr + len)` to `code`. */
  poison(addr: number, len: number, code: number): void {
    if (len <= 0) return;
    this.bytes.fill(code, Math.floor(addr / GRANULE), Math.ceil((addr + len) / GRANULE));
  }

  /**
   * Marks `[p, p + n)` addressable: full granules 0, a trailing partial granule `n % 8`.
   * `p` must be granule-aligned (payloads are aligned to 8 or 16).
   */
  unpoison(p: number, n: number): void {
    const g = p / GRANULE;
    const full = Math.floor(n / GRANULE);
    this.bytes.fill(0, g, g + full);
    const rest = n % GRANULE;
    if (rest !== 0) this.bytes[g + full] = rest;
  }

  /** True when the `size`-byte access at `addr` (size ≤ 8) touches only addressable bytes. */
  canAccess(addr: number, size: number): boolean {
    const sh = this.bytes;
    const first = Math.floor(addr / GRANULE);
    if (first >= sh.length || addr < 0) return false;
    const s = sh[first]!;
    if (s !== 0 && (s >= GRANULE || (addr % GRANULE) + size > s)) return false;
    const end = addr + size - 1;
    const last = Math.floor(end / GRANULE);
    if (last !== first) {
      if (last >= sh.length) return false;
      const t = sh[last]!;
      if (t !== 0 && (t >= GRANULE || end % GRANULE >= t)) return false;
    }
    return true;
  }

  /** True when every byte of `[addr, addr + n)` is addressable (any length). */
  canAccessRange(addr: number, n: number): boolean {
    if (n <= 0) return true;
    if (addr < 0) return false;
    const sh = this.bytes;
    const end = addr + n; // exclusive
    let g = Math.floor(addr / GRANULE);
    const lastG = Math.floor((end - 1) / GRANULE);
    if (lastG >= sh.length) return false;
    // first granule may start mid-way; all but the last granule must be fully addressable
    for (; g < lastG; g++) if (sh[g] !== 0) return false;
    const t = sh[lastG]!;
    return t === 0 || (t < GRANULE && (end - 1) % GRANULE < t);
  }

  /** The first byte of `[addr, addr + n)` that is not addressable, or -1. */
  firstBadByte(addr: number, n: number): number {
    for (let a = addr; a < addr + n; a++) if (!this.canAccess(a, 1)) return a;
    return -1;
  }

  /** The shadow byte of the granule holding `addr` (`SHADOW_UNOWNED` outside the map). */
  at(addr: number): number {
    const g = Math.floor(addr / GRANULE);
    return addr >= 0 && g < this.bytes.length ? this.bytes[g]! : SHADOW_UNOWNED;
  }

  /**
   * A short dump of the shadow around `addr`, as ASan prints it: rows of 16 shadow bytes (128
   * application bytes each), two rows either side, the faulting granule in brackets.
   */
  describe(addr: number, rowsEachSide = 2): string {
    const sh = this.bytes;
    const g = Math.floor(addr / GRANULE);
    const row = g - (g % 16);
    const lines: string[] = ['Shadow bytes around the buggy address:'];
    for (let r = row - rowsEachSide * 16; r <= row + rowsEachSide * 16; r += 16) {
      if (r < 0 || r >= sh.length) continue;
      let line = (r === row ? '=>' : '  ') + hex8(r * GRANULE) + ':';
      for (let i = r; i < r + 16 && i < sh.length; i++) {
        const v = hex2(sh[i]!);
        if (i === g) line += '[' + v + ']';
        else line += i === g + 1 && i !== r ? v : ' ' + v; // no space right after ']'
      }
      lines.push(line);
    }
    lines.push(SHADOW_LEGEND);
    return lines.join('\n');
  }
}
