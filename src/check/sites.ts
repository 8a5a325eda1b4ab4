/**
 * sites.ts — call sites (allocation and free stacks) captured as text and interned to small ids.
 * Exports `SiteTable`, `NO_SITE`.
 *
 * A site is the stack as `Error().stack` prints it, minus the header line, the debug heap's own
 * frames and Node's internal frames. Each distinct stack text is stored once; blocks keep only its id (an int32), so a heap of a
 * million blocks allocated from ten places holds ten strings.
 */

/** The id of "no site captured". */
export const NO_SITE = 0;

interface CallSiteLike {
  getFileName(): string | null | undefined;
  getLineNumber(): number | null;
  getColumnNumber(): number | null;
}

/** `Error.prepareStackTrace` hook: the frames' generated positions as one string (cheap: no source maps). */
function positionsKey(_err: Error, sites: CallSiteLike[]): string {
  let k = '';
  for (let i = 1; i < sites.length; i++) {
    const c = sites[i]!;
    k += c.getFileName() + ':' + c.getLineNumber() + ':' + c.getColumnNumber() + '|';
  }
  return k;
}

/** Interned stack texts. Id 0 is reserved for "none". */
export class SiteTable {
  private readonly ids = new Map<string, number>();
  /** Key of a stack's frame positions → id, so a stack seen before is not formatted again. */
  private readonly raw = new Map<string, number>();
  private readonly texts: string[] = [''];

  /** Distinct sites stored (not counting "none"). */
  get size(): number {
    return this.texts.length - 1;
  }

  /** The id of `text`, storing it if new. The empty text is {@link NO_SITE}. */
  intern(text: string): number {
    if (text === '') return NO_SITE;
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.texts.length;
      this.texts.push(text);
      this.ids.set(text, id);
    }
    return id;
  }

  /** The text of site `id`, or `undefined` for {@link NO_SITE} and unknown ids. */
  text(id: number): string | undefined {
    return id > 0 && id < this.texts.length ? this.texts[id] : undefined;
  }

  /**
   * Captures the current stack and interns it. `skip` frames nearest to this call are dropped
   * (this function itself is always dropped), `depth` frames are kept.
   *
   * Formatting a stack (`Error().stack`) is slow, most of all with source maps on (tsx, or
   * `--enable-source-maps`: every frame is mapped). Where the engine hands out structured call sites
   * (V8's `Error.prepareStackTrace`), a cheap key of the frames' positions is taken first and the
   * text is formatted only the first time that key is seen.
   */
  capture(skip: number, depth = 10): number {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = skip + 1 + depth;
    let key: string | undefined;
    if (typeof Error.captureStackTrace === 'function') {
      const prep = Error.prepareStackTrace;
      Error.prepareStackTrace = positionsKey;
      try {
        key = new Error().stack as unknown as string;
      } finally {
        Error.prepareStackTrace = prep;
      }
      const known = typeof key === 'string' ? this.raw.get(key) : undefined;
      if (known !== undefined) {
        Error.stackTraceLimit = limit;
        return known;
      }
    }
    const stack = new Error().stack ?? '';
    Error.stackTraceLimit = limit;
    const lines = stack.split('\n');
    // V8 starts with an "Error" header line; SpiderMonkey and JavaScriptCore do not.
    const start = lines.length > 0 && !/^\s*at |@/.test(lines[0]!) ? 1 : 0;
    // the runtime's own frames (module loader, test runner internals) only add noise
    const frames = lines.slice(start + 1 + skip).filter((l) => l.trim() !== '' && !l.includes('node:internal/'));
    const id = this.intern(frames.join('\n'));
    if (typeof key === 'string' && this.raw.size < 1 << 16) this.raw.set(key, id);
    return id;
  }
}
