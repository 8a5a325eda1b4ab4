/**
 * trace/index.ts — the trace lab's core (no Node built-ins): parser, validated and fast replay, metrics.
 * Exports everything the main entry re-exports for trace/.
 */
export { parseTrace } from './parse.js';
export type { ParseTraceOptions } from './parse.js';
export { TraceParseError } from './errors.js';
export { OP_ALLOC, OP_REALLOC, OP_FREE, traceName } from './trace.js';
export type { Trace } from './trace.js';
export { replayValidated, REFUSE_SLACK } from './validate.js';
export type { ValidateOptions, ValidationReport } from './validate.js';
export { replayFast, measureThroughput, median } from './measure.js';
export type { ThroughputReport } from './measure.js';
export { evaluateTrace, timedOutRecord, failedRecord } from './evaluate.js';
export type { BenchRecord, EvaluateOptions } from './evaluate.js';
export { summarize, geomean } from './summary.js';
export type { AllocatorSummary } from './summary.js';
export { traceSet, scoring } from './sets.js';
export type { Scoring } from './sets.js';
export { ShadowMap, GRANULE } from './shadow.js';
export { fillPattern, verifyPattern, patternSeed, patternByte } from './pattern.js';
