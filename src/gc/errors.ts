/**
 * errors.ts — the typed errors of managed heaps (every `name` is its class name).
 * Exports `ManagedHeapError`, `GcOutOfMemoryError`, `StalePointerError`, `InvalidObjectError`,
 * `InvalidTypeError`, `RootStackOverflowError`, `HeapVerificationError`.
 */
import { hex } from '../alloc/errors.js';

/** Base class of heapkit's managed-heap errors; `address` is the object or slot the error is about (0 where none). */
export class ManagedHeapError extends Error {
  /** The address the error is about (0 where none). */
  readonly address: number;
  constructor(message: string, address = 0) {
    super(message);
    this.name = new.target.name;
    this.address = address;
  }
}

/** A request could not be met even after a full collection and all the growth the heap's `maxBytes` allows. */
export class GcOutOfMemoryError extends ManagedHeapError {
  /** Bytes that were asked for. */
  readonly requested: number;
  constructor(message: string, requested: number) {
    super(message, 0);
    this.requested = requested;
  }
}

/** Debug mode: a raw pointer kept across a safepoint was used after a moving collection evacuated its object. */
export class StalePointerError extends ManagedHeapError {}

/** A pointer that is not the start of a live object of the right kind (null, misaligned, outside the heap, bad header). */
export class InvalidObjectError extends ManagedHeapError {}

/** An unknown type id, or an allocation call that does not match the type's kind. */
export class InvalidTypeError extends ManagedHeapError {}

/** The shadow stack of roots is full (raise `rootSlots`) or was popped below zero. */
export class RootStackOverflowError extends ManagedHeapError {}

/** `verify()` found violations (stress mode throws this after a collection); `violations` lists them all. */
export class HeapVerificationError extends ManagedHeapError {
  /** Every violation found, not only the first. */
  readonly violations: { address: number; message: string }[];
  constructor(violations: { address: number; message: string }[], when: string) {
    const first = violations.slice(0, 5).map((v) => `${hex(v.address)}: ${v.message}`).join('; ');
    super(`heap verification failed ${when}: ${violations.length} violation(s): ${first}`, violations[0]?.address ?? 0);
    this.violations = violations;
  }
}
