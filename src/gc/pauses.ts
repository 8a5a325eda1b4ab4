/**
 * pauses.ts — pause accounting for short-pause collectors: a timestamped log of pauses, their distribution
 * (p50/p99/max) and the minimum mutator utilization (MMU) over sliding windows. Exports `PauseLog`,
 * `PauseSummary`, `summarizePauses`, `minimumMutatorUtilization`, `pauseLogOf`, `PausingPlan`, `PAUSE_*`.
 *
 * A pause is any stretch in which the main thread does collector work (an incremental step, a handshake,
 * a remark, a stop-the-world collection). MMU(w) (Cheng & Blelloch) is the smallest fraction of any window of
 * `w` ms inside the run that the mutator had to itself: 1 means no window ever held a pause, 0 means some
 * window was entirely pause. The worst window either starts at a pause's start or ends at a pause's end, so
 * it is found among 2n candidates, each priced with prefix sums and a binary search: O(n log n).
 */
import type { ManagedHeap } from './heap.js';

/** Pause kinds. */
export const PAUSE_OTHER = 0;
export const PAUSE_STEP = 1;
export const PAUSE_START = 2;
export const PAUSE_REMARK = 3;
export const PAUSE_SWEEP_ON_DEMAND = 4;
export const PAUSE_LOG_FULL = 5;
export const PAUSE_FULL = 6;
/** Names of the pause kinds, by value. */
export const PAUSE_NAMES = ['other', 'step', 'start', 'remark', 'sweep-on-demand', 'log-full', 'full'];

/** A growing log of pauses: start times (ms, any monotonic clock) and durations (ms). Recording allocates only when it doubles. */
export class PauseLog {
  /** Start of each pause (ms). */
  starts: Float64Array;
  /** Duration of each pause (ms). */
  durations: Float64Array;
  /** What each pause was (`PAUSE_*`). */
  kinds: Uint8Array;
  /** Pauses recorded. */
  count = 0;

  constructor(capacity = 1024) {
    this.starts = new Float64Array(Math.max(16, capacity));
    this.durations = new Float64Array(Math.max(16, capacity));
    this.kinds = new Uint8Array(Math.max(16, capacity));
  }

  /** Records a pause of kind `kind` that started at `start` and lasted `duration` ms. */
  record(start: number, duration: number, kind: number = PAUSE_OTHER): void {
    if (this.count === this.starts.length) {
      const s = new Float64Array(this.count * 2);
      const d = new Float64Array(this.count * 2);
      const k = new Uint8Array(this.count * 2);
      s.set(this.starts);
      d.set(this.durations);
      k.set(this.kinds);
      this.starts = s;
      this.durations = d;
      this.kinds = k;
    }
    this.starts[this.count] = start;
    this.durations[this.count] = duration;
    this.kinds[this.count] = kind;
    this.count++;
  }

  /** Count and maximum duration per kind, keyed by `PAUSE_NAMES`. */
  byKind(): Record<string, { count: number; maxMs: number; totalMs: number }> {
    const out: Record<string, { count: number; maxMs: number; totalMs: number }> = {};
    for (let i = 0; i < this.count; i++) {
      const name = PAUSE_NAMES[this.kinds[i]!] ?? 'other';
      const e = (out[name] ??= { count: 0, maxMs: 0, totalMs: 0 });
      e.count++;
      e.totalMs += this.durations[i]!;
      if (this.durations[i]! > e.maxMs) e.maxMs = this.durations[i]!;
    }
    return out;
  }

  /** Forgets every pause. */
  clear(): void {
    this.count = 0;
  }
}

/** The distribution of a run's pauses. Times in ms. */
export interface PauseSummary {
  count: number;
  totalMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Length of the run the MMU was computed over. */
  spanMs: number;
  /** Minimum mutator utilization per window (fractions in [0, 1]). */
  mmu: { windowMs: number; utilization: number }[];
}

/** The q-quantile of sorted values as the heap's stats compute it (element ⌊q·n⌋, clamped). */
function quantile(sorted: Float64Array, q: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/**
 * MMU over windows of `windowMs` for pauses `starts[i]`, `durations[i]` (i < n, sorted by start, not
 * overlapping) inside the run [from, to]. When the run is shorter than the window, the whole run is the window.
 */
export function minimumMutatorUtilization(starts: Float64Array, durations: Float64Array, n: number, from: number, to: number, windowMs: number): number {
  if (n === 0 || to <= from) return 1;
  const w = Math.min(windowMs, to - from);
  if (w <= 0) return 1;
  // prefix[i] = total pause before pause i; ends[i] = end of pause i.
  const prefix = new Float64Array(n + 1);
  const ends = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    prefix[i + 1] = prefix[i]! + durations[i]!;
    ends[i] = starts[i]! + durations[i]!;
  }
  // Pause time inside [a, a + w].
  const pausedIn = (a: number): number => {
    const b = a + w;
    // first pause ending after a
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (ends[m]! <= a) lo = m + 1;
      else hi = m;
    }
    const first = lo;
    // first pause starting at or after b
    lo = first;
    hi = n;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (starts[m]! < b) lo = m + 1;
      else hi = m;
    }
    const last = lo; // pauses [first, last) overlap the window
    if (last <= first) return 0;
    let t = prefix[last]! - prefix[first]!;
    if (starts[first]! < a) t -= a - starts[first]!;
    if (ends[last - 1]! > b) t -= ends[last - 1]! - b;
    return Math.max(0, t);
  };
  let worst = 0;
  for (let i = 0; i < n; i++) {
    const a1 = Math.min(Math.max(starts[i]!, from), to - w);
    const a2 = Math.min(Math.max(ends[i]! - w, from), to - w);
    const p = Math.max(pausedIn(a1), pausedIn(a2));
    if (p > worst) worst = p;
  }
  return Math.max(0, 1 - Math.min(worst, w) / w);
}

/**
 * Summarizes a pause log: count, total, p50/p99/max and the MMU for each window in `windowsMs` (default
 * 1 ms and 10 ms) over the run [from, to] (default: first pause start to last pause end).
 */
export function summarizePauses(log: PauseLog, opts: { windowsMs?: number[]; from?: number; to?: number } = {}): PauseSummary {
  const n = log.count;
  const sorted = Float64Array.from(log.durations.subarray(0, n)).sort();
  let total = 0;
  for (let i = 0; i < n; i++) total += sorted[i]!;
  const from = opts.from ?? (n > 0 ? log.starts[0]! : 0);
  const to = opts.to ?? (n > 0 ? log.starts[n - 1]! + log.durations[n - 1]! : 0);
  // Sort by start (logs from several sources may interleave) and merge overlaps so MMU sees disjoint pauses.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => log.starts[a]! - log.starts[b]!);
  const s = new Float64Array(n);
  const d = new Float64Array(n);
  let m = 0;
  for (const i of order) {
    const st = log.starts[i]!;
    const en = st + log.durations[i]!;
    if (m > 0 && st <= s[m - 1]! + d[m - 1]!) {
      d[m - 1] = Math.max(d[m - 1]!, en - s[m - 1]!);
    } else {
      s[m] = st;
      d[m] = en - st;
      m++;
    }
  }
  return {
    count: n,
    totalMs: total,
    p50Ms: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: n > 0 ? sorted[n - 1]! : 0,
    spanMs: Math.max(0, to - from),
    mmu: (opts.windowsMs ?? [1, 10]).map((windowMs) => ({ windowMs, utilization: minimumMutatorUtilization(s, d, m, from, to, windowMs) })),
  };
}

/** A plan that keeps a timestamped log of its pauses (the incremental and concurrent plans do). */
export interface PausingPlan {
  readonly pauseLog: PauseLog;
}

/** The timestamped pause log of `heap`'s plan, or null when the plan keeps none (stop-the-world plans: time them with `heap.onCollect`). */
export function pauseLogOf(heap: ManagedHeap): PauseLog | null {
  const p = heap.plan as unknown as Partial<PausingPlan>;
  return p.pauseLog instanceof PauseLog ? p.pauseLog : null;
}
