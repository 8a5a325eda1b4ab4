/**
 * read-trace.ts — reading `.rep` and `.rep.gz` trace files from disk (Node only: fs and zlib).
 * Exports `readTraceFile`, `readTraceFileSync`.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { parseTrace } from '../trace/parse.js';
import { TraceParseError } from '../trace/errors.js';
import type { Trace } from '../trace/trace.js';

const gunzipAsync = promisify(gunzip);

function isGzip(path: string, bytes: Uint8Array): boolean {
  return path.endsWith('.gz') || (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b);
}

function inflate(path: string, bytes: Uint8Array, inflateFn: (b: Uint8Array) => Uint8Array): Uint8Array {
  try {
    return inflateFn(bytes);
  } catch (err) {
    throw new TraceParseError(path, 1, `cannot decompress: ${(err as Error).message}`);
  }
}

/**
 * Reads and parses one trace file; `.gz` files (or any file starting with the gzip magic) are
 * decompressed first. Throws `TraceParseError` for malformed content, Node's fs errors for missing files.
 */
export function readTraceFileSync(path: string): Trace {
  let bytes: Uint8Array = readFileSync(path);
  if (isGzip(path, bytes)) bytes = inflate(path, bytes, (b) => gunzipSync(b));
  return parseTrace(bytes, { file: path });
}

/** Asynchronous {@link readTraceFileSync} (file reading and decompression off the main thread's critical path). */
export async function readTraceFile(path: string): Promise<Trace> {
  let bytes: Uint8Array = await readFile(path);
  if (isGzip(path, bytes)) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (err) {
      throw new TraceParseError(path, 1, `cannot decompress: ${(err as Error).message}`);
    }
  }
  return parseTrace(bytes, { file: path });
}
