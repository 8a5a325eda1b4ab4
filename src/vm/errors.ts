/**
 * errors.ts — the typed errors of the virtual-memory machine.
 * Exports `VmError`, `SegmentationFault`, `InvalidArgumentError`, `OutOfFramesError`, `OutOfAddressSpaceError`, `ProcessExitedError`, `SegvReason`.
 *
 * Every error sets `name` to its class name (it survives structured cloning and minification) and
 * carries the `address` it is about. Throwing one never leaves the machine half-changed: each
 * operation validates (and allocates the frames it needs) before it mutates anything.
 */

/** `0x0001a2f0` — addresses as the reports print them (vm/ sits below alloc/, so it keeps its own). */
function hex(address: number): string {
  return '0x' + (address >>> 0).toString(16).padStart(8, '0');
}

/** errno-style code of a failed call. */
export type VmErrno = 'EINVAL' | 'ENOMEM' | 'EFAULT' | 'ESRCH';

/** Base class of the virtual-memory errors. */
export class VmError extends Error {
  /** The (virtual) address the error is about; 0 where none. */
  readonly address: number;
  /** errno-style code. */
  readonly errno: VmErrno;
  constructor(message: string, address: number, errno: VmErrno) {
    super(message);
    this.name = new.target.name;
    this.address = address;
    this.errno = errno;
  }
}

/**
 * Why an access faulted fatally:
 * - `not-mapped`: no area covers the address;
 * - `read-denied` / `write-denied` / `exec-denied`: an area covers it but its protection forbids the access.
 */
export type SegvReason = 'not-mapped' | 'read-denied' | 'write-denied' | 'exec-denied';

const REASON_TEXT: Record<SegvReason, string> = {
  'not-mapped': 'no mapping covers the address',
  'read-denied': 'read of a page without read permission',
  'write-denied': 'write to a page without write permission',
  'exec-denied': 'instruction fetch from a page without execute permission',
};

/** A load, store or fetch the fault handler could not resolve (SIGSEGV): the address and the reason. */
export class SegmentationFault extends VmError {
  /** Why the access was refused. */
  readonly reason: SegvReason;
  /** Process id of the faulting process. */
  readonly pid: number;
  constructor(address: number, reason: SegvReason, pid: number) {
    super(`segmentation fault at ${hex(address)} in process ${pid}: ${REASON_TEXT[reason]} (${reason})`, address >>> 0, 'EFAULT');
    this.reason = reason;
    this.pid = pid;
  }
}

/** An impossible argument (unaligned address or length, unknown protection, offset beyond an object...): EINVAL. Nothing changed. */
export class InvalidArgumentError extends VmError {
  constructor(message: string, address = 0) {
    super(message, address, 'EINVAL');
  }
}

/** Physical memory has no free frame left for a fault, a copy or a page-in: ENOMEM. Nothing changed. */
export class OutOfFramesError extends VmError {
  constructor(message: string, address = 0) {
    super(message, address, 'ENOMEM');
  }
}

/** No gap in the address space is large enough for a mapping, or `mprotect` met an unmapped hole: ENOMEM. Nothing changed. */
export class OutOfAddressSpaceError extends VmError {
  constructor(message: string, address = 0) {
    super(message, address, 'ENOMEM');
  }
}

/** An operation on a process that has exited: ESRCH. */
export class ProcessExitedError extends VmError {
  constructor(pid: number) {
    super(`process ${pid} has exited`, 0, 'ESRCH');
  }
}
