/**
 * node/index.ts — the `heapkit/node` entry: Node-only helpers of the trace lab (files, gzip, worker pool).
 * Exports the trace readers, trace-file discovery, and the bench worker pool.
 */
export { readTraceFile, readTraceFileSync } from './read-trace.js';
export { packageRoot, bundledTracesDir, collectTraceFiles, traceGroup, isTraceFile } from './trace-files.js';
export { runBenchPool, defaultWorkerCount } from './pool.js';
export type { BenchPoolOptions } from './pool.js';
export { runBenchJob, DEFAULT_BENCH_MAX_BYTES } from './bench-job.js';
export type { BenchJob } from './bench-job.js';
export * from './record/index.js';
