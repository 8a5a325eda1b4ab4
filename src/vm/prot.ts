/**
 * prot.ts — page protections: the `Prot` strings of the public API and the permission bits areas and PTEs share.
 * Exports `Prot`, `PROT_R`, `PROT_W`, `PROT_X`, `parseProt`, `protString`.
 */
import { InvalidArgumentError } from './errors.js';

/** Page protection, as in `mmap(2)`: any subset of read, write, execute, in `rwx` order; `'none'` is PROT_NONE. */
export type Prot = 'none' | 'r' | 'w' | 'x' | 'rw' | 'rx' | 'wx' | 'rwx';

/** Read permission bit (the same bit in an area's `prot` and in a page-table entry). */
export const PROT_R = 1 << 1;
/** Write permission bit. */
export const PROT_W = 1 << 2;
/** Execute permission bit. */
export const PROT_X = 1 << 3;
/** All three permission bits. */
export const PROT_MASK = PROT_R | PROT_W | PROT_X;

const BY_NAME: Record<string, number> = {
  none: 0, '': 0, '---': 0,
  r: PROT_R, w: PROT_W, x: PROT_X,
  rw: PROT_R | PROT_W, rx: PROT_R | PROT_X, wx: PROT_W | PROT_X, rwx: PROT_R | PROT_W | PROT_X,
  'r--': PROT_R, '-w-': PROT_W, '--x': PROT_X, 'rw-': PROT_R | PROT_W, 'r-x': PROT_R | PROT_X, '-wx': PROT_W | PROT_X,
};

/** Permission bits of a protection string (also accepts `ls -l` style `r-x`); throws InvalidArgumentError for anything else. */
export function parseProt(prot: unknown): number {
  const bits = typeof prot === 'string' && Object.prototype.hasOwnProperty.call(BY_NAME, prot) ? BY_NAME[prot] : undefined;
  if (bits === undefined) throw new InvalidArgumentError(`unknown protection ${JSON.stringify(prot)} (expected 'none', 'r', 'rw', 'rx', 'rwx', ...)`);
  return bits;
}

/** The `ls -l`-style string of permission bits: `rw-`, `r-x`, `---`. */
export function protString(bits: number): string {
  return (bits & PROT_R ? 'r' : '-') + (bits & PROT_W ? 'w' : '-') + (bits & PROT_X ? 'x' : '-');
}
