/**
 * sets.ts — which bundled trace set a file belongs to, and whether the set's drivers score it.
 * Exports `traceSet`, `scoring`, `Scoring`.
 *
 * | set (folder)                   | header 1          | header 4            | scored traces                          |
 * |--------------------------------|-------------------|---------------------|----------------------------------------|
 * | `malloclab/` (classic CS:APP 2e) | heap size hint  | weight (always 1)   | all but `short1-bal`, `short2-bal`: 11 |
 * | `malloclab/csapp3e-autolab/`   | weight 0..3       | ignore-overlap flag | weight 1, 2 (util.), 1, 3 (throughput) |
 * | `malloclab-new/`               | weight 0..3       | peak live bytes     | weight 1, 2 (util.: 16), 1, 3 (thr.)   |
 * | `real/` and anything else      | —                 | —                   | all                                    |
 * Weight codes: 0 not scored, 1 utilization and throughput, 2 utilization only, 3 throughput only.
 */

/** Whether a trace counts toward its set's utilization and throughput scores. */
export interface Scoring {
  utilization: boolean;
  throughput: boolean;
}

/** The bundled set of a path, by its folder names: `malloclab`, `csapp3e-autolab`, `malloclab-new`, `real`, or `other`. */
export function traceSet(path: string): 'malloclab' | 'csapp3e-autolab' | 'malloclab-new' | 'real' | 'other' {
  const parts = path.split(/[\\/]/);
  const dir = parts.length >= 2 ? parts[parts.length - 2]! : '';
  if (dir === 'csapp3e-autolab') return 'csapp3e-autolab';
  if (dir === 'malloclab-new') return 'malloclab-new';
  if (dir === 'malloclab') return 'malloclab';
  if (dir === 'real') return 'real';
  return 'other';
}

/** Whether the trace at `path` with this header is scored by its set's driver (see the table above). */
export function scoring(path: string, header: readonly number[]): Scoring {
  const set = traceSet(path);
  if (set === 'csapp3e-autolab' || set === 'malloclab-new') {
    const w = header[0];
    return { utilization: w === 1 || w === 2, throughput: w === 1 || w === 3 };
  }
  if (set === 'malloclab') {
    const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
    const scored = !base.startsWith('short');
    return { utilization: scored, throughput: scored };
  }
  return { utilization: true, throughput: true };
}
