/**
 * summary.ts — per-allocator averages of bench records over a group of traces (a folder set).
 * Exports `summarize`, `AllocatorSummary`, `geomean`.
 *
 * Means are taken over the valid records only (refused, timed-out and invalid runs have no
 * comparable figure); `n…` fields say how many records each mean covers, so a preset that timed
 * out on the long traces is visibly averaged over fewer of them.
 */
import type { BenchRecord } from './evaluate.js';

/** Averages of one allocator over one group of traces. */
export interface AllocatorSummary {
  /** Group label (e.g. the folder `malloclab-new`). */
  group: string;
  allocator: string;
  /** Records in the group. */
  traces: number;
  valid: number;
  refused: number;
  timedOut: number;
  /** Neither valid, refused nor timed out: an error. */
  invalid: number;
  /** Mean utilization over valid records with a utilization (null if none). */
  meanUtilization: number | null;
  /** Records in `meanUtilization`. */
  nUtilization: number;
  /** Geometric mean of ops/s over valid records (null if none). */
  geomeanOpsPerSec: number | null;
  /** Records in `geomeanOpsPerSec`. */
  nThroughput: number;
  /** Mean utilization over the valid records the set's driver scores for utilization. */
  scoredMeanUtilization: number | null;
  /** Records in `scoredMeanUtilization`, and how many the set scores in all. */
  nScoredUtilization: number;
  scoredUtilizationOf: number;
  /** Geomean ops/s over valid records scored for throughput. */
  scoredGeomeanOpsPerSec: number | null;
  nScoredThroughput: number;
  scoredThroughputOf: number;
}

/** Geometric mean of positive numbers (null for an empty list). */
export function geomean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let s = 0;
  for (const x of xs) s += Math.log(x);
  return Math.exp(s / xs.length);
}

function mean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Averages per (group, allocator), groups and allocators in first-seen order. */
export function summarize(records: readonly BenchRecord[], groupOf: (r: BenchRecord) => string): AllocatorSummary[] {
  const buckets = new Map<string, { group: string; allocator: string; rs: BenchRecord[] }>();
  for (const r of records) {
    const group = groupOf(r);
    const key = group + '\u0000' + r.allocator;
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { group, allocator: r.allocator, rs: [] }));
    b.rs.push(r);
  }
  const out: AllocatorSummary[] = [];
  for (const { group, allocator, rs } of buckets.values()) {
    const ok = rs.filter((r) => r.valid);
    const util = ok.filter((r) => r.utilization !== null).map((r) => r.utilization!);
    const tput = ok.filter((r) => r.opsPerSec > 0).map((r) => r.opsPerSec);
    const sUtil = ok.filter((r) => r.scoredUtilization && r.utilization !== null).map((r) => r.utilization!);
    const sTput = ok.filter((r) => r.scoredThroughput && r.opsPerSec > 0).map((r) => r.opsPerSec);
    out.push({
      group,
      allocator,
      traces: rs.length,
      valid: ok.length,
      refused: rs.filter((r) => r.refused && !r.timedOut && r.errors.length === 0).length,
      timedOut: rs.filter((r) => r.timedOut).length,
      invalid: rs.filter((r) => !r.valid && !r.timedOut && (r.errors.length > 0 || !r.refused)).length,
      meanUtilization: mean(util),
      nUtilization: util.length,
      geomeanOpsPerSec: geomean(tput),
      nThroughput: tput.length,
      scoredMeanUtilization: mean(sUtil),
      nScoredUtilization: sUtil.length,
      scoredUtilizationOf: rs.filter((r) => r.scoredUtilization).length,
      scoredGeomeanOpsPerSec: geomean(sTput),
      nScoredThroughput: sTput.length,
      scoredThroughputOf: rs.filter((r) => r.scoredThroughput).length,
    });
  }
  return out;
}
