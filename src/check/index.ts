/**
 * check/ — diagnostics: the AddressSanitizer-like debug heap, the leak finder, fragmentation and locality metrics.
 * Exports the public names of the folder (re-exported by the main entry).
 */
export { createDebugHeap, DebugHeap, DEFAULT_QUARANTINE_BYTES, DEFAULT_REDZONE } from './debug-heap.js';
export type { DebugHeapOptions } from './debug-heap.js';
export { MemoryAccessError, formatReport } from './report.js';
export type { MemoryReport, MemoryErrorKind, ReportPolicy, DetectedBy } from './report.js';
export { ShadowMap, GRANULE, SHADOW_LEFT_REDZONE, SHADOW_RIGHT_REDZONE, SHADOW_FREED, SHADOW_UNOWNED } from './shadow.js';
export { classifyLeaks, groupLeaks, findBlock } from './leaks.js';
export type { LeakGroup, LeakKind, LeakCheckOptions, LeakCheckResult, LeakTotals, BlockTable } from './leaks.js';
export { heapSnapshot, MetricsRecorder, measureReplay, formatReplayMetrics } from './metrics.js';
export type { OpStream, FragmentationSnapshot, TimelineSample, ReplayMetrics, MetricsOptions, HistogramBucket } from './metrics.js';
