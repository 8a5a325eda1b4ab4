/**
 * gc/ — managed heaps: objects in linear memory with exact roots, a write barrier and pluggable collectors.
 * Exports `createManagedHeap`, `ManagedHeap`, the collector registry, the errors, object-model constants and the workloads.
 */
export { createManagedHeap } from './create.js';
export { ManagedHeap, BARRIER_NONE, BARRIER_GENERATIONAL, BARRIER_HOOK } from './heap.js';
export type { ManagedHeapOptions, ManagedHeapStats, GcPlan, GcViolation, TypeInfo, CollectorName } from './heap.js';
export { registerCollector, collectorNames, describeCollector, makePlan } from './registry.js';
export type { CollectorEntry } from './registry.js';
export { Space, SPACE_BUMP, SPACE_FREELIST } from './space.js';
export {
  ManagedHeapError,
  GcOutOfMemoryError,
  StalePointerError,
  InvalidObjectError,
  InvalidTypeError,
  RootStackOverflowError,
  HeapVerificationError,
} from './errors.js';
export * as objectModel from './object-model.js';
export { markHeap, forEachObject } from './mark.js';
export { sweepFreeList } from './sweep.js';
export { compactSpace } from './compact.js';
export { Evacuator } from './copy.js';
export { verifyHeap } from './verify.js';
export { runBinaryTrees, runGcBench, bottomUpTree, itemCheck } from './workloads.js';
export type { WorkloadOutcome } from './workloads.js';
export { runRandomGraph, graphChecksum } from './random-graph.js';
export type { RandomGraphOptions, RandomGraphResult } from './random-graph.js';
export { runGcWorkload, gcWorkloadNames } from './run.js';
export type { GcRunRecord, GcWorkloadName } from './run.js';
export { createMarkSweepPlan } from './plan-mark-sweep.js';
export { createMarkCompactPlan } from './plan-mark-compact.js';
export { createSemispacePlan } from './plan-semispace.js';
export { createGenerationalPlan } from './plan-generational.js';
