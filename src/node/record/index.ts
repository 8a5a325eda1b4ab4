/**
 * index.ts — `heapkit record`'s library side: record a native program's malloc calls as a `.rep` trace.
 * Exports `recordProgram`, `buildPreload`, `RepConverter`, `logToRep`, the recorder's errors and types.
 */
export { recordProgram } from './record.js';
export type { RecordOptions, RecordResult, ProcessImage } from './record.js';
export { buildPreload, preloadSourcePath, defaultCacheDir } from './build-preload.js';
export type { PreloadBuild, BuildPreloadOptions } from './build-preload.js';
export { RepConverter, logToRep } from './convert.js';
export type { ConvertSummary } from './convert.js';
export { RecordError, RecordUnsupportedError, CompilerNotFoundError, PreloadBuildError, ProgramStartError } from './errors.js';
