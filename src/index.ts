/**
 * heapkit — the main entry. Runs in browsers and Node alike: no Node built-ins below this file
 * (file and gzip reading, the CLI and the benches live behind `heapkit/node` and the `heapkit` command).
 *
 * Each area appends its public names here, one `export … from` block per folder.
 */

// memory/ — linear memory
export { LinearMemory, PAGE_BYTES, MAX_MEMORY_BYTES } from './memory/linear-memory.js';
export type { MemoryBacking, LinearMemoryOptions } from './memory/linear-memory.js';

// alloc/ — explicit allocators
export { HeapError, DoubleFreeError, InvalidFreeError, HeapCorruptionError } from './alloc/errors.js';
export type { Errno } from './alloc/errors.js';
export type { Allocator, HeapStats, HeapViolation } from './alloc/allocator.js';
export type { HeapOptions, AllocatorConfig, FreeIndexKind, FitPolicy, ListOrder, CoalescePolicy } from './alloc/options.js';
export { createHeap, attachHeap, allocatorNames, describeAllocator, defaultAllocatorName, registerAllocatorFamily, allocatorNeedsSharedMemory, allocatorCanAttach } from './alloc/create.js';
export type { AllocatorFamily, AttachOptions } from './alloc/create.js';
export { BlockHeap } from './alloc/block-heap.js';
export type { BlockHeapConfig } from './alloc/block-heap.js';
export type { FreeIndexView } from './alloc/index/free-index.js';
export { PRESETS } from './alloc/presets.js';

// alloc/fast, alloc/offset, typed views — the fast allocator, the out-of-band offset allocator, typed arrays over blocks
export { createFastHeap, attachFastHeap, FAST_MAGIC, FastHeap, fastAllocatorFamily } from './alloc/fast/index.js';
export type { FastHeapOptions } from './alloc/fast/index.js';
export { createOffsetAllocator, OffsetAllocator, createOffsetHeap, OffsetHeap, offsetAllocatorFamily } from './alloc/offset/index.js';
export type { OffsetAllocatorOptions, MoveCallback, ReserveCallback, OffsetHeapOptions } from './alloc/offset/index.js';
export { allocTyped, viewOf } from './alloc/typed-views.js';
export type { TypedArrayConstructor, TypedArrayOf } from './alloc/typed-views.js';

// alloc/shared — one heap in a SharedArrayBuffer for many workers
export { createSharedHeap, attachSharedHeap, isSharedHeap, formatSharedHeap, attachSharedMemory, sharedAllocatorFamily, SharedHeap, SHARED_HEAP_MAGIC } from './alloc/shared/index.js';
export type { SharedHeapOptions, AttachSharedOptions } from './alloc/shared/index.js';

// check/ — diagnostics: debug heap, leak finder, fragmentation and locality metrics
export { createDebugHeap, DebugHeap, MemoryAccessError, classifyLeaks, groupLeaks, heapSnapshot, MetricsRecorder, measureReplay } from './check/index.js';
export type { DebugHeapOptions, MemoryReport, MemoryErrorKind, ReportPolicy, LeakGroup, LeakKind, LeakCheckOptions, LeakCheckResult, FragmentationSnapshot, TimelineSample, ReplayMetrics, MetricsOptions } from './check/index.js';

// trace/ — the trace lab: .rep parser, validated and fast replay, metrics (file reading lives in heapkit/node)
export { parseTrace, TraceParseError, OP_ALLOC, OP_REALLOC, OP_FREE, traceName, replayValidated, REFUSE_SLACK, replayFast, measureThroughput, median, evaluateTrace, timedOutRecord, failedRecord, summarize, geomean, traceSet, scoring, ShadowMap, GRANULE, fillPattern, verifyPattern, patternSeed, patternByte } from './trace/index.js';
export type { ParseTraceOptions, Trace, ValidateOptions, ValidationReport, ThroughputReport, BenchRecord, EvaluateOptions, AllocatorSummary, Scoring } from './trace/index.js';

// vm/ — paged virtual memory: address spaces, mmap, fork with copy-on-write, a process's heap as linear memory
export { createMachine, Machine, Process, MemoryObject, HeapMemory, VmError, SegmentationFault, InvalidArgumentError, OutOfFramesError, OutOfAddressSpaceError, ProcessExitedError } from './vm/index.js';
export type { MachineOptions, MachineStats, MmapOptions, ProcessStats, AreaInfo, PageInfo, SegvReason, VmErrno, Prot, VmEvent, VmEventKind, FaultCounterValues } from './vm/index.js';

// gc/ — managed heaps: exact roots, write barrier, mark-sweep / mark-compact / semispace / generational plans, workloads
export { createManagedHeap, ManagedHeap, BARRIER_NONE, BARRIER_GENERATIONAL, BARRIER_HOOK, registerCollector, collectorNames, describeCollector, ManagedHeapError, GcOutOfMemoryError, StalePointerError, InvalidObjectError, InvalidTypeError, RootStackOverflowError, HeapVerificationError, runBinaryTrees, runGcBench, runRandomGraph, graphChecksum, runGcWorkload, gcWorkloadNames } from './gc/index.js';
export type { ManagedHeapOptions, ManagedHeapStats, GcPlan, GcViolation, TypeInfo, CollectorName, CollectorEntry, WorkloadOutcome, RandomGraphOptions, RandomGraphResult, GcRunRecord, GcWorkloadName } from './gc/index.js';
// gc/ — short pauses: the incremental (SATB) and concurrent (marker worker) plans and pause accounting
export { PauseLog, summarizePauses, pauseLogOf, minimumMutatorUtilization, PAUSE_NAMES } from './gc/pauses.js';
export type { PauseSummary } from './gc/pauses.js';
export { SatbPlan } from './gc/plan-incremental.js';
export type { IncrementalOptions } from './gc/plan-incremental.js';
export { shutdownMarkers, markerReady, markerKind, markerThreadsFailed } from './gc/plan-concurrent.js';
export type { MarkerKind } from './gc/plan-concurrent.js';
