/**
 * record.ts — runs a native program with its malloc family interposed and writes its `.rep` trace.
 * Exports `recordProgram`, `RecordOptions`, `RecordResult`, `ProcessImage`.
 *
 * Each process image (the program, a child it forks, a program it execs) writes its own log. The trace is
 * made from the last image of the started process (what a chain of exec wrappers such as `env` or a
 * pyenv shim ends in), or with `select: 'busiest'` from the image with the most calls; all are listed.
 */
import { spawn } from 'node:child_process';
import { createReadStream, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { gzipSync } from 'node:zlib';
import { buildPreload } from './build-preload.js';
import { RepConverter, type ConvertSummary } from './convert.js';
import { ProgramStartError } from './errors.js';

/** Options of `recordProgram`. */
export interface RecordOptions {
  /** The program to run (looked up on PATH). */
  program: string;
  /** Its arguments. */
  args?: string[];
  /** Trace file to write; gzipped when the name ends in `.gz`. */
  out: string;
  /** C compiler command (default `$CC`, else `cc`). */
  cc?: string;
  /** Cache folder for the preload library. */
  cacheDir?: string;
  /** Which process image becomes the trace: `'main'` (default: the last image of the started process) or `'busiest'`. */
  select?: 'main' | 'busiest';
  /** The program's stdio (default `'inherit'`). */
  stdio?: 'inherit' | 'ignore' | 'pipe';
}

/** One process image seen while recording. */
export interface ProcessImage {
  pid: number;
  /** Index of the image among those of the same pid (more than one after exec). */
  image: number;
  /** Logged calls. */
  calls: number;
}

/** What `recordProgram` did. */
export interface RecordResult extends ConvertSummary {
  /** The trace file written. */
  out: string;
  /** The program's exit code (null when killed by a signal). */
  exitCode: number | null;
  /** The signal that ended it, if any. */
  signal: string | null;
  /** Every process image that logged calls. */
  images: ProcessImage[];
  /** The image the trace was made from. */
  chosen: ProcessImage | null;
  /** The preload library came from the cache. */
  cachedLibrary: boolean;
}

function runProgram(
  opts: RecordOptions,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; signal: string | null; pid: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(opts.program, opts.args ?? [], { env, stdio: opts.stdio ?? 'inherit' });
    const pid = child.pid ?? -1;
    child.once('error', (e: NodeJS.ErrnoException) => {
      reject(new ProgramStartError(`cannot start '${opts.program}': ${e.code === 'ENOENT' ? 'not found' : e.message}`));
    });
    child.once('close', (code, signal) => resolve({ code, signal, pid }));
  });
}

async function* logLines(file: string): AsyncGenerator<string> {
  const rl = createInterface({ input: createReadStream(file, { encoding: 'latin1' }), crlfDelay: Infinity });
  for await (const line of rl) yield line;
}

/** Counts the calls of each process image in one log file (an image starts at each `P` line). */
async function scanImages(file: string, pid: number): Promise<ProcessImage[]> {
  const images: ProcessImage[] = [];
  let cur: ProcessImage | null = null;
  for await (const line of logLines(file)) {
    if (line.charCodeAt(0) === 80 /* P */) {
      cur = { pid, image: images.length, calls: 0 };
      images.push(cur);
    } else if (line.length > 0 && cur) cur.calls++;
  }
  return images;
}

async function convertImage(file: string, image: number): Promise<RepConverter> {
  const conv = new RepConverter();
  let idx = -1;
  let n = 0;
  for await (const line of logLines(file)) {
    n++;
    if (line.charCodeAt(0) === 80) {
      idx++;
      if (idx > image) break;
      continue;
    }
    if (idx === image) conv.feed(line, n);
  }
  return conv;
}

/**
 * Builds the preload library if needed, runs the program under it, converts the chosen process
 * image's calls to `.rep` and writes them to `opts.out`.
 */
export async function recordProgram(opts: RecordOptions): Promise<RecordResult> {
  const lib = await buildPreload({ ...(opts.cc ? { cc: opts.cc } : {}), ...(opts.cacheDir ? { cacheDir: opts.cacheDir } : {}) });
  const dir = mkdtempSync(join(tmpdir(), 'heapkit-record-'));
  try {
    const preload = process.env.LD_PRELOAD ? `${lib.path} ${process.env.LD_PRELOAD}` : lib.path;
    const env = { ...process.env, LD_PRELOAD: preload, HEAPKIT_RECORD_DIR: dir };
    const { code, signal, pid: mainPid } = await runProgram(opts, env);
    const images: ProcessImage[] = [];
    const files = new Map<number, string>();
    for (const name of readdirSync(dir)) {
      const m = /^heapkit\.(\d+)\.log$/.exec(name);
      if (!m) continue;
      const pid = Number(m[1]);
      files.set(pid, join(dir, name));
      images.push(...(await scanImages(join(dir, name), pid)));
    }
    images.sort((a, b) => b.calls - a.calls || a.pid - b.pid || a.image - b.image);
    const main = images.filter((i) => i.pid === mainPid).sort((a, b) => b.image - a.image)[0];
    const chosen = (opts.select === 'busiest' ? images[0] : main ?? images[0]) ?? null;
    const conv = chosen ? await convertImage(files.get(chosen.pid)!, chosen.image) : new RepConverter();
    const text = conv.rep();
    writeFileSync(opts.out, opts.out.endsWith('.gz') ? gzipSync(text) : text);
    return { ...conv.summary(), out: opts.out, exitCode: code, signal, images, chosen, cachedLibrary: lib.cached };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
