/**
 * errors.ts — the typed errors of `heapkit record`. Exports `RecordError` and its subclasses:
 * `RecordUnsupportedError`, `CompilerNotFoundError`, `PreloadBuildError`, `ProgramStartError`.
 */

/** Base class of the recorder's errors; `name` is the class name. */
export class RecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The platform has no LD_PRELOAD-style interposition the recorder knows (only Linux is supported). */
export class RecordUnsupportedError extends RecordError {}

/** No system C compiler to build the preload library with. */
export class CompilerNotFoundError extends RecordError {}

/** The C compiler ran but could not build the preload library; `message` holds its output. */
export class PreloadBuildError extends RecordError {}

/** The program to record could not be started (not found, not executable). */
export class ProgramStartError extends RecordError {}
