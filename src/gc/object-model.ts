/**
 * object-model.ts — the layout of a managed object and of the type table, as bit constants and pure size functions.
 * Exports the header bit constants, type kinds, `recordSize`, `arraySize`, `TYPE_WORDS` and `POISON`.
 *
 * Glossary: p = object address (8-aligned byte offset, 0 is NULL), w = p >>> 2 (its word index),
 * hdr = word 0, t = type id, tw = the type's first word in the type table.
 *
 * An object (32-bit little-endian words):
 * ```
 *  p+0  ┌───────────┬──────┬─┬─┬─────┬──────────────────┐
 *       │ unused(8) │age(4)│L│F│col 2│ type id (16)     │  word 0: header
 *  p+4  ├───────────┴──────┴─┴─┴─────┴──────────────────┤
 *       │ size in bytes (multiple of 8), or, when F is  │  word 1: size | forwarding address
 *       │ set, the address of the copy                  │
 *  p+8  ├───────────────────────────────────────────────┤
 *       │ record:  ref 0 … ref N-1 (4 bytes each)       │  pointer fields first (exact map)
 *       │          raw bytes (from p + rawOffset, 8-al.)│  then M raw bytes
 *       │ arrays:  length (word 2), pad (word 3),       │
 *       │          elements from p+16 (refs: 4 bytes,   │
 *       │          bytes: 1 byte; 8-aligned for f64)    │
 *       └───────────────────────────────────────────────┘
 *  col = colour for tracing (0 white, 1 grey: marked and queued, 2 black: marked and scanned) —
 *        tri-colour, so incremental collectors can share it; a stop-the-world mark sets grey on push
 *        and black after scanning.
 *  F   = forwarded: a copying collector moved the object; word 1 holds the copy's address.
 *  L   = logged: the object is in the generational remembered set (sequential store buffer).
 *  age = minor collections survived (saturates at 15).
 * ```
 * Invariants (checked by `verify()`): `size == recordSize(type)` or `arraySize(kind, length)`;
 * outside a collection every reachable object is white, unforwarded, and type id ∈ [1, typeCount).
 * Type id 0 is never a type, so a zeroed or poisoned word is never mistaken for a header.
 *
 * The type table (u32 words at `typeBase`, `TYPE_WORDS` per type):
 * ```
 *  tw+0 kind (1 record, 2 ref array, 3 byte array)   tw+1 ref count N (records)
 *  tw+2 raw bytes M (records)                        tw+3 record size (records) or element bytes (arrays)
 * ```
 */

/** Bits 0–15 of word 0: the type id. */
export const TYPE_MASK = 0xffff;
/** Colour field shift and mask (bits 16–17). */
export const COLOR_SHIFT = 16;
export const COLOR_MASK = 3 << COLOR_SHIFT;
/** Colour: marked, waiting in the mark stack. */
export const GREY = 1 << COLOR_SHIFT;
/** Colour: marked and scanned. */
export const BLACK = 2 << COLOR_SHIFT;
/** Bit 18: forwarded (word 1 is the new address). */
export const FORWARDED = 1 << 18;
/** Bit 19: logged in the remembered set. */
export const LOGGED = 1 << 19;
/** Age field shift and mask (bits 20–23). */
export const AGE_SHIFT = 20;
export const AGE_MASK = 15 << AGE_SHIFT;
/** One unit of age. */
export const AGE_ONE = 1 << AGE_SHIFT;

/** Bytes of the header of every object. */
export const HEADER_BYTES = 8;
/** Byte offset of an array's elements (after header, length and pad words). */
export const ARRAY_DATA = 16;
/** Word offset of a record's first ref field. */
export const RECORD_REFS_WORD = 2;
/** Word offset of an array's length word. */
export const ARRAY_LENGTH_WORD = 2;
/** Word offset of a ref array's first element. */
export const ARRAY_REFS_WORD = 4;

/** Type kinds. */
export const KIND_RECORD = 1;
export const KIND_REF_ARRAY = 2;
export const KIND_BYTE_ARRAY = 3;
/** Words per type-table entry. */
export const TYPE_WORDS = 4;

/** Word written over evacuated and freed memory in debug mode (type id 0xbeef is never valid). */
export const POISON = 0xdeadbeef;

/** Largest array length accepted (keeps sizes far below 2^32). */
export const MAX_ARRAY_LENGTH = 0x3fff_ffff;

/** Rounds up to a multiple of 8. */
export function align8(n: number): number {
  return (n + 7) & ~7;
}

/** Byte offset, from the object start, of a record's raw data (after N refs, 8-aligned so f64 fits). */
export function rawOffset(nRefs: number): number {
  return align8(HEADER_BYTES + 4 * nRefs);
}

/** Total bytes of a record with `nRefs` reference fields and `rawBytes` raw bytes. */
export function recordSize(nRefs: number, rawBytes: number): number {
  return align8(rawOffset(nRefs) + rawBytes);
}

/** Total bytes of an array of `length` elements of the given kind. */
export function arraySize(kind: number, length: number): number {
  return align8(ARRAY_DATA + (kind === KIND_REF_ARRAY ? 4 * length : length));
}
