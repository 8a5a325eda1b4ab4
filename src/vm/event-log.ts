/**
 * event-log.ts — a bounded ring of the machine's events (faults, COW copies, maps, forks, exits) for visualizers.
 * Exports `EventLog`, `VmEvent`, `VmEventKind`.
 *
 * Records live in parallel typed arrays, so logging allocates nothing; when the ring is full the
 * oldest records are overwritten (`dropped` counts them). `events()` materialises the records,
 * oldest first.
 * ```
 *   slot:   0      1      2    ...   cap-1
 *   kind  [ 3  |  0   |  1   | ... |     ]     next = seq % cap is the slot written next
 *   pid   [ 1  |  2   |  2   | ... |     ]
 *   addr  [ .. |  ..  |  ..  | ... |     ]     (Float64: a full 32-bit address)
 *   value [ .. |  ..  |  ..  | ... |     ]
 * ```
 */

/**
 * What happened. `value` of a record means, by kind:
 * fault → frame mapped · page-in → frame read from the object · cow-copy → the new frame · cow-reuse → the frame ·
 * map / unmap / protect / brk → bytes · fork → child pid · exit → frames released · segv → 0 · writeback → frame written.
 */
export type VmEventKind = 'fault' | 'page-in' | 'cow-copy' | 'cow-reuse' | 'map' | 'unmap' | 'protect' | 'brk' | 'fork' | 'exit' | 'segv' | 'writeback';

const KINDS: VmEventKind[] = ['fault', 'page-in', 'cow-copy', 'cow-reuse', 'map', 'unmap', 'protect', 'brk', 'fork', 'exit', 'segv', 'writeback'];
const KIND_CODE: Record<VmEventKind, number> = Object.fromEntries(KINDS.map((k, i) => [k, i])) as Record<VmEventKind, number>;

/** One event. */
export interface VmEvent {
  /** Sequence number since the machine started (gaps mean the ring overwrote records). */
  seq: number;
  /** What happened. */
  kind: VmEventKind;
  /** The process it happened in. */
  pid: number;
  /** The virtual address (page or area start) concerned. */
  address: number;
  /** A kind-specific figure (see {@link VmEventKind}). */
  value: number;
}

/** A fixed-capacity ring of events. */
export class EventLog {
  /** Records it can hold. */
  readonly capacity: number;
  /** Events logged since the start (also the next sequence number). */
  seq = 0;
  private readonly kind: Uint8Array;
  private readonly pid: Int32Array;
  private readonly addr: Float64Array;
  private readonly value: Float64Array;

  constructor(capacity: number) {
    this.capacity = Math.max(1, capacity | 0);
    this.kind = new Uint8Array(this.capacity);
    this.pid = new Int32Array(this.capacity);
    this.addr = new Float64Array(this.capacity);
    this.value = new Float64Array(this.capacity);
  }

  /** Events overwritten because the ring was full. */
  get dropped(): number {
    return Math.max(0, this.seq - this.capacity);
  }

  /** Records one event. */
  log(kind: VmEventKind, pid: number, address: number, value: number): void {
    const i = this.seq % this.capacity;
    this.kind[i] = KIND_CODE[kind];
    this.pid[i] = pid;
    this.addr[i] = address >>> 0;
    this.value[i] = value;
    this.seq++;
  }

  /** The records held, oldest first; `since` keeps only those with `seq >= since`. */
  events(since = 0): VmEvent[] {
    const out: VmEvent[] = [];
    const first = Math.max(this.seq - this.capacity, since, 0);
    for (let s = first; s < this.seq; s++) {
      const i = s % this.capacity;
      out.push({ seq: s, kind: KINDS[this.kind[i]], pid: this.pid[i], address: this.addr[i], value: this.value[i] });
    }
    return out;
  }
}
