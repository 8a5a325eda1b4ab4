/**
 * parse.ts — the `.rep` parser (CMU malloc-lab format, all three dialects of the bundled sets).
 * Exports `parseTrace`, `ParseTraceOptions`.
 *
 * Format: four header lines (one number each; only `header[1]` = ids and `header[2]` = ops are
 * used), then one op per line: `a id size`, `r id size`, `f id`. Quirks handled, each seen in the
 * bundled traces (see traces/README.md):
 * - `f -1` is `free(NULL)`;
 * - `r id n` of an id that is not live is `realloc(NULL, n)` (= malloc); `r id 0` frees;
 * - ids are reused after they are freed;
 * - `a id` with no size reuses the last size read (as the reference driver's `fscanf` does);
 * - op lines after the header's count are ignored (the reference driver stops at the count);
 * - blank lines and `\r\n` line ends are tolerated;
 * - sizes beyond 2^32 (up to ~8.4e16) are kept as numbers.
 * Everything else raises `TraceParseError` naming file and 1-based line: unknown op, bad id
 * (not an integer, negative, or not below the header's id count), free of an id that is not live,
 * malloc of an id still live, missing or non-numeric header, non-numeric size, fewer ops than the
 * header promises, extra fields.
 */
import { TraceParseError } from './errors.js';
import { OP_ALLOC, OP_FREE, OP_REALLOC, traceName, type Trace } from './trace.js';

/** Options of {@link parseTrace}. */
export interface ParseTraceOptions {
  /** The file name used in messages and for `Trace.name`. Default `<string>`. */
  file?: string;
}

const NL = 10;
const CR = 13;
const SP = 32;
const TAB = 9;
const D0 = 48;
const D9 = 57;
const MINUS = 45;

let encoder: TextEncoder | null = null;

/**
 * Parses `.rep` text (a string, or its bytes, e.g. a gunzipped buffer) into a {@link Trace}.
 * Throws {@link TraceParseError} for malformed input. Linear time; the only allocations are the
 * four typed arrays of the result and a live-id bitmap.
 */
export function parseTrace(input: string | Uint8Array, opts: ParseTraceOptions = {}): Trace {
  const file = opts.file ?? '<string>';
  const buf = typeof input === 'string' ? (encoder ??= new TextEncoder()).encode(input) : input;
  const end = buf.length;
  let pos = 0;
  let line = 0;
  // Token boundaries of the current line (at most 3 tokens are meaningful; a 4th is an error).
  let t0s = 0, t0e = 0, t1s = 0, t1e = 0, t2s = 0, t2e = 0;
  let ntok = 0;

  /** Reads the next non-blank line's tokens; returns false at end of input. */
  const nextLine = (): boolean => {
    while (pos < end) {
      line++;
      let e = pos;
      while (e < end && buf[e] !== NL) e++;
      const next = e + 1;
      ntok = 0;
      let i = pos;
      while (i < e) {
        const c = buf[i]!;
        if (c === SP || c === TAB || c === CR) {
          i++;
          continue;
        }
        const s = i;
        while (i < e) {
          const d = buf[i]!;
          if (d === SP || d === TAB || d === CR) break;
          i++;
        }
        if (ntok === 0) (t0s = s), (t0e = i);
        else if (ntok === 1) (t1s = s), (t1e = i);
        else if (ntok === 2) (t2s = s), (t2e = i);
        ntok++;
      }
      pos = next;
      if (ntok > 0) return true;
    }
    return false;
  };

  const text = (s: number, e: number): string => {
    let out = '';
    for (let i = s; i < e && i < s + 40; i++) out += String.fromCharCode(buf[i]!);
    return e - s > 40 ? out + '…' : out;
  };

  // Header: four lines of one number each.
  const header: number[] = [];
  const names = ['first header line', 'id count', 'op count', 'fourth header line'];
  for (let h = 0; h < 4; h++) {
    if (!nextLine()) {
      throw new TraceParseError(file, line + 1, `missing header: expected 4 header lines, found ${h}${h === 0 ? ' (empty input)' : ''}`);
    }
    if (ntok !== 1) throw new TraceParseError(file, line, `bad header: the ${names[h]} must be one number, got '${text(t0s, t0e)} …'`);
    let v = parseUint(buf, t0s, t0e);
    if (Number.isNaN(v) && h !== 1 && h !== 2) v = parseSigned(buf, t0s, t0e);
    if (Number.isNaN(v)) throw new TraceParseError(file, line, `bad header: the ${names[h]} '${text(t0s, t0e)}' is not a number`);
    if ((h === 1 || h === 2) && v > 0x7fff_ffff) throw new TraceParseError(file, line, `bad header: ${names[h]} ${v} is too large`);
    header.push(v);
  }
  const numIds = header[1]!;
  const numOps = header[2]!;

  const kind = new Uint8Array(numOps);
  const id = new Int32Array(numOps);
  const size = new Float64Array(numOps);
  const lines = new Int32Array(numOps);
  const live = new Uint8Array(numIds);
  let lastSize = NaN;

  for (let i = 0; i < numOps; i++) {
    if (!nextLine()) {
      throw new TraceParseError(file, line + 1, `truncated trace: the header promises ${numOps} ops, found ${i}`);
    }
    lines[i] = line;
    if (t0e - t0s !== 1) throw new TraceParseError(file, line, `unknown op '${text(t0s, t0e)}' (expected a, r or f)`);
    const op = buf[t0s];
    if (ntok < 2) throw new TraceParseError(file, line, `bad id: op '${String.fromCharCode(op!)}' has no id`);
    let k: number;
    if (op === 97 /* a */) k = OP_ALLOC;
    else if (op === 114 /* r */) k = OP_REALLOC;
    else if (op === 102 /* f */) k = OP_FREE;
    else throw new TraceParseError(file, line, `unknown op '${text(t0s, t0e)}' (expected a, r or f)`);
    kind[i] = k;

    // Id: a decimal integer below numIds, or -1 for free(NULL).
    let v = parseUint(buf, t1s, t1e);
    if (Number.isNaN(v)) {
      if (k === OP_FREE && t1e - t1s === 2 && buf[t1s] === MINUS && buf[t1s + 1] === D0 + 1) v = -1;
      else throw new TraceParseError(file, line, `bad id '${text(t1s, t1e)}'`);
    } else if (v >= numIds) {
      throw new TraceParseError(file, line, `bad id ${v}: the header declares ${numIds} ids (0..${numIds - 1})`);
    }
    id[i] = v;

    if (k === OP_FREE) {
      if (ntok > 2) throw new TraceParseError(file, line, `extra field '${text(t2s, t2e)}' after 'f ${v}'`);
      if (v >= 0) {
        if (live[v] === 0) throw new TraceParseError(file, line, `free of id ${v}, which is not live`);
        live[v] = 0;
      }
      continue;
    }

    // Size: a decimal integer ≥ 0; `a id` alone reuses the last size read.
    let n: number;
    if (ntok === 2) {
      if (k !== OP_ALLOC || Number.isNaN(lastSize)) throw new TraceParseError(file, line, `missing size after '${String.fromCharCode(op!)} ${v}'`);
      n = lastSize;
    } else {
      if (ntok > 3) throw new TraceParseError(file, line, `extra field after '${text(t0s, t2e)}'`);
      n = parseUint(buf, t2s, t2e);
      if (Number.isNaN(n)) throw new TraceParseError(file, line, `non-numeric size '${text(t2s, t2e)}'`);
      lastSize = n;
    }
    size[i] = n;
    if (k === OP_ALLOC) {
      if (live[v] !== 0) throw new TraceParseError(file, line, `malloc of id ${v}, which is still live`);
      live[v] = 1;
    } else {
      live[v] = n > 0 ? 1 : 0;
    }
  }

  let ignored = 0;
  while (nextLine()) ignored++;

  return {
    name: traceName(file),
    file,
    header: [header[0]!, header[1]!, header[2]!, header[3]!],
    numIds,
    length: numOps,
    kind,
    id,
    size,
    line: lines,
    ignoredLines: ignored,
  };
}

/** Decimal digits in `buf[s, e)` as a number (exact up to 2^53, correctly rounded beyond); NaN when anything else is there. */
function parseUint(buf: Uint8Array, s: number, e: number): number {
  if (e <= s) return NaN;
  let v = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i]!;
    if (c < D0 || c > D9) return NaN;
    v = v * 10 + (c - D0);
  }
  if (e - s > 15) {
    // Beyond 15 digits the running product may round twice: let the platform round once.
    let str = '';
    for (let i = s; i < e; i++) str += String.fromCharCode(buf[i]!);
    v = Number(str);
  }
  return v;
}

/** Like {@link parseUint} with an optional leading minus (header fields only). */
function parseSigned(buf: Uint8Array, s: number, e: number): number {
  if (e - s >= 2 && buf[s] === MINUS) return -parseUint(buf, s + 1, e);
  return NaN;
}
