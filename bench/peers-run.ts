/**
 * peers-run.ts — the runners of the peer benches: one worker thread per allocator (bench/peers-worker.ts),
 * the C replay of glibc's malloc (bench/c/replay.c, compiled with the machine's C compiler) and the
 * AssemblyScript TLSF module. Exports `PeerWorker`, `RunOptions`, `buildWasm`, `buildC`, `runC`.
 */
import { Worker } from 'node:worker_threads';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Trace } from './peers-trace.js';
import type { RunResult } from './peers-worker.js';

/** How every run is made. */
export interface RunOptions {
  /** Timed runs at least (median reported). */
  runs: number;
  /** Budget per allocator and trace, seconds. */
  timeoutS: number;
  /** Largest heap a heapkit peer may grow to. */
  maxBytes: number;
  /** Fresh memory for every run of a heapkit heap instead of re-formatting over the previous run's. */
  cold: boolean;
  /** Progress and notes (stderr). */
  log: (m: string) => void;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const work = join(tmpdir(), `heapkit-bench-${process.pid}`);

/** Compiles bench/as/tlsf.ts with asc (-O3, minimal runtime: TLSF heap, no collector). */
export function buildWasm(): string {
  const out = join(tmpdir(), 'heapkit-as-tlsf.wasm');
  const src = join(here, 'as', 'tlsf.ts');
  if (existsSync(out) && statSync(out).mtimeMs > statSync(src).mtimeMs) return out;
  const asc = join(here, '..', 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  execFileSync(process.execPath, [asc, src, '--runtime', 'minimal', '-O3', '-o', out], { stdio: 'inherit' });
  return out;
}

/** Compiles bench/c/replay.c with the machine's C compiler, or returns null with a note. */
export function buildC(log: (m: string) => void, defines: string[] = []): string | null {
  mkdirSync(work, { recursive: true });
  const out = join(work, ['replay', ...defines].join('-'));
  const r = spawnSync('cc', ['-O2', ...defines.map((d) => `-D${d}`), '-o', out, join(here, 'c', 'replay.c')], { encoding: 'utf8' });
  if (r.status !== 0) {
    log(`glibc: skipped (no working C compiler: ${r.error?.message ?? r.stderr.trim()})`);
    return null;
  }
  return out;
}

/** Runs the C replay `bin` on `t` in a fresh process. */
export function runC(bin: string, t: Trace, o: RunOptions): RunResult {
  mkdirSync(work, { recursive: true });
  const file = join(work, 'trace.bin');
  const hdr = new Uint32Array([0x52544b48, t.numIds, t.numOps]);
  const kpad = (t.numOps + 3) & ~3;
  const k = new Uint8Array(kpad);
  k.set(t.kind);
  writeFileSync(file, Buffer.concat([Buffer.from(hdr.buffer), Buffer.from(k.buffer), Buffer.from(t.id.slice().buffer), Buffer.from(t.size.slice().buffer)]));
  const r = spawnSync(bin, [file, String(o.runs)], { encoding: 'utf8', timeout: o.timeoutS * 1000 * (o.runs + 2) });
  if (r.status !== 0) return { opsPerSec: 0, highWater: 0, errors: [r.error ? 'timed out' : `exit ${r.status}: ${r.stderr}`], refused: 0, timedOut: r.error !== undefined, runs: 0 };
  const out = JSON.parse(r.stdout) as { opsPerSec: number; highWater: number; errors: number; refused: number };
  return { opsPerSec: out.opsPerSec, highWater: out.highWater, errors: out.errors ? [`${out.errors} damaged payloads or failed requests`] : [], refused: out.refused, timedOut: false, runs: o.runs };
}

/** One allocator's worker thread, started on first use and restarted after a hard timeout. */
export class PeerWorker {
  private w: Worker | null = null;
  constructor(
    private readonly peer: string,
    private readonly wasmPath: string,
    private readonly o: RunOptions,
  ) {}
  private async start(): Promise<Worker> {
    const entry = new URL('./peers-worker.ts', import.meta.url).href;
    const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
    const w = new Worker(boot, { eval: true, workerData: { peer: this.peer, wasmPath: this.wasmPath, maxBytes: this.o.maxBytes, cold: this.o.cold } });
    await new Promise<void>((res, rej) => {
      w.once('message', () => res());
      w.once('error', rej);
    });
    this.w = w;
    return w;
  }
  async run(t: Trace): Promise<RunResult> {
    const w = this.w ?? (await this.start());
    const budgetMs = this.o.timeoutS * 1000;
    const runs = this.o.runs;
    const trace = { name: t.name, numIds: t.numIds, numOps: t.numOps, kind: t.kind, id: t.id, size: t.size, peakLive: t.peakLive };
    return new Promise<RunResult>((res) => {
      const timer = setTimeout(() => {
        cleanup();
        void w.terminate();
        this.w = null;
        res({ opsPerSec: 0, highWater: 0, errors: ['timed out (hard)'], refused: 0, timedOut: true, runs: 0 });
      }, budgetMs + 15000);
      const onMsg = (r: RunResult): void => {
        cleanup();
        res(r);
      };
      const onErr = (e: Error): void => {
        cleanup();
        this.w = null;
        res({ opsPerSec: 0, highWater: 0, errors: [`worker died: ${e.message}`], refused: 0, timedOut: false, runs: 0 });
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        w.off('message', onMsg);
        w.off('error', onErr);
      };
      w.on('message', onMsg);
      w.on('error', onErr);
      w.postMessage({ trace, runs, budgetMs });
    });
  }
  async close(): Promise<void> {
    if (this.w) await this.w.terminate();
  }
}

