/**
 * errors.ts — the typed error of malformed trace input.
 * Exports `TraceParseError`.
 */

/** A `.rep` trace that cannot be parsed; the message starts with `file:line:`. */
export class TraceParseError extends Error {
  /** The file (or label) being parsed. */
  readonly file: string;
  /** 1-based line of the offending text (the line after the last one for a truncated file). */
  readonly line: number;
  constructor(file: string, line: number, what: string) {
    super(`${file}:${line}: ${what}`);
    this.name = new.target.name;
    this.file = file;
    this.line = line;
  }
}
