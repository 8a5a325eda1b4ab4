/**
 * vm/index.ts — the `heapkit/vm` entry: paged virtual memory with mmap, fork and copy-on-write.
 * Exports `createMachine`, `Machine`, `Process`, `MemoryObject`, `HeapMemory`, the errors and the report types.
 */
export { createMachine, Machine } from './machine.js';
export type { MachineOptions, MachineStats } from './machine.js';
export { Process } from './process.js';
export type { MmapOptions, ProcessStats, AreaInfo, PageInfo } from './process.js';
export { MemoryObject } from './memory-object.js';
export { HeapMemory } from './heap-memory.js';
export { VmError, SegmentationFault, InvalidArgumentError, OutOfFramesError, OutOfAddressSpaceError, ProcessExitedError } from './errors.js';
export type { SegvReason, VmErrno } from './errors.js';
export type { Prot } from './prot.js';
export type { VmEvent, VmEventKind } from './event-log.js';
export type { FaultCounterValues } from './kernel.js';
