/**
 * convert.ts — turns the preload library's call log (one process image) into a malloc-lab `.rep` trace.
 * Exports `RepConverter`, `ConvertSummary` and `logToRep` (the whole conversion of a log text).
 *
 * Rules (the ones `traces/real/` was made with): ids are dense in allocation order and never reused;
 * malloc, calloc and the aligned allocators become `a id bytes`; realloc(NULL, n) becomes `a`;
 * realloc(p, 0) becomes `f`; realloc(p, n) becomes `r id n`; free(NULL), frees of pointers the log never
 * saw allocated, and calls that failed (returned NULL) are dropped; blocks live at the end stay live.
 */

/** What a conversion kept and dropped. */
export interface ConvertSummary {
  /** Distinct ids (allocations kept). */
  ids: number;
  /** Operation lines written. */
  ops: number;
  /** free(NULL) calls dropped. */
  freeNull: number;
  /** free/realloc of pointers never seen allocated, dropped. */
  unknownFrees: number;
  /** Allocation calls that returned NULL, dropped. */
  failed: number;
  /** Blocks still live at the end. */
  liveAtEnd: number;
}

/** Hex (as logged) to a decimal string, exact beyond 2^53. */
function hexToDec(h: string): string {
  return h.length <= 13 ? String(parseInt(h, 16)) : BigInt('0x' + h).toString();
}

/** Streaming converter: feed it the log lines of one process image, then `rep()`. */
export class RepConverter {
  private readonly live = new Map<string, number>();
  private readonly lines: string[] = [];
  private nextId = 0;
  private freeNull = 0;
  private unknownFrees = 0;
  private failed = 0;

  /** Adds one log line (`m`, `c`, `r`, `A`, `f`; `P` and blank lines are ignored). Throws a SyntaxError naming the line for anything else. */
  feed(line: string, lineNo = 0): void {
    if (line.length === 0) return;
    const w = line.split(' ');
    switch (w[0]) {
      case 'P':
        return;
      case 'm':
        return this.alloc(w[2]!, hexToDec(w[1]!));
      case 'A':
        return this.alloc(w[3]!, hexToDec(w[2]!));
      case 'c': {
        const bytes = BigInt('0x' + w[1]!) * BigInt('0x' + w[2]!);
        return this.alloc(w[3]!, bytes.toString());
      }
      case 'f':
        return this.free(w[1]!);
      case 'r':
        return this.realloc(w[1]!, w[2]!, w[3]!);
      default:
        throw Object.assign(new SyntaxError(`record log line ${lineNo}: cannot read '${line.slice(0, 60)}'`), { name: 'SyntaxError' });
    }
  }

  private alloc(ret: string, bytes: string): void {
    if (ret === '0' || ret === undefined) {
      this.failed++;
      return;
    }
    const id = this.nextId++;
    this.live.set(ret, id);
    this.lines.push(`a ${id} ${bytes}`);
  }

  private free(p: string): void {
    if (p === '0') {
      this.freeNull++;
      return;
    }
    const id = this.live.get(p);
    if (id === undefined) {
      this.unknownFrees++;
      return;
    }
    this.live.delete(p);
    this.lines.push(`f ${id}`);
  }

  private realloc(old: string, sizeHex: string, ret: string): void {
    if (old === '0') return this.alloc(ret, hexToDec(sizeHex));
    const id = this.live.get(old);
    if (id === undefined) {
      // A block we never saw allocated: its free half is dropped, its new block is an allocation.
      this.unknownFrees++;
      if (sizeHex !== '0') this.alloc(ret, hexToDec(sizeHex));
      return;
    }
    if (sizeHex === '0') {
      this.live.delete(old);
      this.lines.push(`f ${id}`);
      return;
    }
    if (ret === '0') {
      this.failed++; // realloc failed: the old block stays as it was
      return;
    }
    this.live.delete(old);
    this.live.set(ret, id);
    this.lines.push(`r ${id} ${hexToDec(sizeHex)}`);
  }

  /** What was kept and dropped so far. */
  summary(): ConvertSummary {
    return {
      ids: this.nextId,
      ops: this.lines.length,
      freeNull: this.freeNull,
      unknownFrees: this.unknownFrees,
      failed: this.failed,
      liveAtEnd: this.live.size,
    };
  }

  /** The `.rep` text: header `0 / ids / ops / 1`, then one op a line. */
  rep(): string {
    return `0\n${this.nextId}\n${this.lines.length}\n1\n${this.lines.join('\n')}${this.lines.length ? '\n' : ''}`;
  }
}

/** Converts the log text of one process image in one go. */
export function logToRep(log: string): { rep: string; summary: ConvertSummary } {
  const c = new RepConverter();
  const lines = log.split('\n');
  for (let i = 0; i < lines.length; i++) c.feed(lines[i]!, i + 1);
  return { rep: c.rep(), summary: c.summary() };
}
