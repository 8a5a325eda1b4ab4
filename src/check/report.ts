/**
 * report.ts — the memory-error reports of the debug heap and how they are worded and delivered.
 * Exports `MemoryErrorKind`, `MemoryReport`, `ReportPolicy`, `MemoryAccessError`, `formatReport`.
 *
 * A report reads like AddressSanitizer's: the kind of error and the address, what access found it,
 * where the address lies relative to its block, where that block was allocated and freed, and a
 * short shadow map of the neighbourhood.
 */
import { HeapError, hex } from '../alloc/errors.js';

/** The error classes the debug heap finds (AddressSanitizer's names). */
export type MemoryErrorKind =
  | 'heap-buffer-overflow'
  | 'heap-buffer-underflow'
  | 'heap-use-after-free'
  | 'double-free'
  | 'invalid-free';

/** What found the error: a checked access, a free/realloc, or a scan by `check()` / quarantine eviction. */
export type DetectedBy = 'read' | 'write' | 'free' | 'realloc' | 'check' | 'quarantine';

/** One memory error. */
export interface MemoryReport {
  /** The kind of error. */
  kind: MemoryErrorKind;
  /** The faulting address (the first damaged byte for corruption found by a scan). */
  address: number;
  /** Payload start of the block the address belongs to or is nearest to; 0 when there is none. */
  block: number;
  /** `address - block` (negative for an underflow, ≥ the block's size for an overflow). */
  offset: number;
  /** Requested bytes of that block (0 when there is no block). */
  size: number;
  /** What found the error. */
  detectedBy: DetectedBy;
  /** Bytes of the faulting access (checked accessors only). */
  accessSize?: number;
  /** Where the block was allocated (stack text), when stacks are captured. */
  allocatedAt?: string;
  /** Where the block was (first) freed, when stacks are captured and it was freed. */
  freedAt?: string;
  /** Where the faulting call was made (the second free, the bad access), when stacks are captured. */
  at?: string;
  /** The whole report as text, ASan-style, shadow map included. */
  message: string;
}

/**
 * What the debug heap does with a report: keep it for `check()` (`'collect'`, the default), also
 * print it with `console.error` (`'log'`), throw a {@link MemoryAccessError} (`'throw'`), or hand it to a
 * function (and keep it). Bad frees throw their typed errors under every policy. Under `'throw'`, a
 * free or realloc that finds damaged redzones throws before releasing the block (it stays live, its
 * canaries repaired), and `check()` throws one error carrying every report of its scan.
 */
export type ReportPolicy = 'collect' | 'log' | 'throw' | ((report: MemoryReport) => void);

/** Thrown under the `'throw'` policy; `name` is `'MemoryAccessError'`, `report` the full report. */
export class MemoryAccessError extends HeapError {
  /** The report that caused the throw. */
  readonly report: MemoryReport;
  /** Every report of the same call (a `check()` can find several). */
  readonly reports: MemoryReport[];
  constructor(reports: MemoryReport[]) {
    const first = reports[0]!;
    super(first.message, first.address);
    this.report = first;
    this.reports = reports;
  }
}

/** The facts a report is built from (everything but the message). */
export type ReportFacts = Omit<MemoryReport, 'message'>;

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => '    ' + l.trim())
    .join('\n');
}

function verb(r: ReportFacts): string {
  switch (r.detectedBy) {
    case 'read':
      return `READ of size ${r.accessSize ?? 1}`;
    case 'write':
      return `WRITE of size ${r.accessSize ?? 1}`;
    case 'free':
      return 'free()';
    case 'realloc':
      return 'realloc()';
    case 'check':
      return 'damaged byte found by check()';
    case 'quarantine':
      return 'damaged byte found when the block left quarantine';
  }
}

/** Where the address lies relative to its block, as ASan words it. */
function whereIs(r: ReportFacts): string {
  if (r.block === 0) return `${hex(r.address)} does not belong to any block of the heap`;
  const region = `${r.size}-byte region [${hex(r.block)},${hex(r.block + r.size)})`;
  if (r.offset < 0) return `${hex(r.address)} is located ${-r.offset} bytes to the left of ${region}`;
  if (r.offset >= r.size) return `${hex(r.address)} is located ${r.offset - r.size} bytes to the right of ${region}`;
  return `${hex(r.address)} is located ${r.offset} bytes inside of ${region}`;
}

/** Builds the ASan-like text of a report; `shadow` is the shadow dump around the address. */
export function formatReport(r: ReportFacts, shadow: string): string {
  const lines: string[] = [];
  lines.push(`ERROR: heapkit DebugHeap: ${r.kind} on address ${hex(r.address)} (${verb(r)})`);
  if (r.at) lines.push(indent(r.at));
  lines.push(whereIs(r));
  if (r.freedAt) lines.push('freed by:', indent(r.freedAt));
  if (r.allocatedAt) lines.push('previously allocated by:', indent(r.allocatedAt));
  lines.push(shadow);
  return lines.join('\n');
}
