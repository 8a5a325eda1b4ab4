/**
 * trace.ts — a parsed allocation trace held in typed arrays, and its op codes.
 * Exports `Trace`, `OP_ALLOC`, `OP_REALLOC`, `OP_FREE`, `traceName`.
 *
 * One op is one index `i` into three parallel arrays, so a replay loop reads numbers only and
 * allocates nothing:
 * ```
 *   i      kind[i] (u8)   id[i] (i32)        size[i] (f64)           line[i] (i32)
 *   0      OP_ALLOC       0                  2040                    5
 *   1      OP_REALLOC     0                  4096                    6
 *   2      OP_FREE        0                  0 (unused)              7
 *   3      OP_FREE        -1  = free(NULL)   0                       8
 * ```
 * Sizes stay JavaScript numbers (exact below 2^53, the nearest double above: the 8.4e16-byte
 * requests of `syn-giant*` are kept, never truncated to 32 bits).
 */

/** `ptr[id] = malloc(size)`. */
export const OP_ALLOC = 0;
/** `ptr[id] = realloc(ptr[id], size)` (a never-allocated id reallocs NULL; size 0 frees). */
export const OP_REALLOC = 1;
/** `free(ptr[id])`; id -1 is `free(NULL)`. */
export const OP_FREE = 2;

/** A parsed `.rep` trace. Arrays are exactly `length` long. */
export interface Trace {
  /** File name without folder and without `.rep` / `.rep.gz`. */
  name: string;
  /** Where it came from (a path, or a label such as `<string>`), as given to the parser. */
  file: string;
  /** The four header numbers as written (their meaning depends on the set; see traces/README.md). */
  header: readonly [number, number, number, number];
  /** Distinct ids the header declares (`header[1]`); every op's id is below it (or -1). */
  numIds: number;
  /** Ops replayed (= `header[2]`; op lines beyond it are ignored). */
  length: number;
  /** Op codes: `OP_ALLOC`, `OP_REALLOC`, `OP_FREE`. */
  kind: Uint8Array;
  /** Block id of each op; -1 only for `free(NULL)`. */
  id: Int32Array;
  /** Requested bytes (0 for frees). */
  size: Float64Array;
  /** 1-based source line of each op, for messages. */
  line: Int32Array;
  /** Non-blank lines after the last counted op that were not replayed. */
  ignoredLines: number;
}

/** The trace name of a path: its last component without `.rep.gz` / `.rep` (`a/b/amptjp-bal.rep` → `amptjp-bal`). */
export function traceName(file: string): string {
  const slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  const base = file.slice(slash + 1);
  if (base.endsWith('.rep.gz')) return base.slice(0, -7);
  if (base.endsWith('.rep')) return base.slice(0, -4);
  return base;
}
