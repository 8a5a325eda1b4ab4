/**
 * build-preload.ts — builds (once, then caches) the LD_PRELOAD library that logs a program's malloc calls.
 * Exports `buildPreload`, `preloadSourcePath`, `defaultCacheDir` and `PreloadBuild`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompilerNotFoundError, PreloadBuildError, RecordUnsupportedError } from './errors.js';

/** Where the C source lives: `native/heapkit-preload.c` at the package root (same depth from src/ and dist/). */
export function preloadSourcePath(): string {
  return fileURLToPath(new URL('../../../native/heapkit-preload.c', import.meta.url));
}

/** The per-user cache folder: `$HEAPKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/heapkit`, else `~/.cache/heapkit`. */
export function defaultCacheDir(): string {
  if (process.env.HEAPKIT_CACHE_DIR) return process.env.HEAPKIT_CACHE_DIR;
  if (process.env.XDG_CACHE_HOME) return join(process.env.XDG_CACHE_HOME, 'heapkit');
  const home = homedir();
  if (home) return join(home, '.cache', 'heapkit');
  return join(tmpdir(), `heapkit-${userInfo().uid}`);
}

/** A built preload library. */
export interface PreloadBuild {
  /** Absolute path of the shared object. */
  path: string;
  /** True when it was already in the cache. */
  cached: boolean;
}

/** Options of `buildPreload`. */
export interface BuildPreloadOptions {
  /** The compiler command, split on spaces (default `$CC`, else `cc`). */
  cc?: string;
  /** Cache folder (default `defaultCacheDir()`). */
  cacheDir?: string;
}

function run(cmd: string, args: string[]): Promise<{ code: number; output: string; missing: boolean }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: string | number }) | null;
      if (e && e.code === 'ENOENT') resolve({ code: -1, output: '', missing: true });
      else resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, output: stdout + stderr, missing: false });
    });
  });
}

/**
 * Returns the preload library, compiling `native/heapkit-preload.c` with the system C compiler the first
 * time (the cache key is a hash of the source, the compiler command and the architecture).
 * @throws RecordUnsupportedError off Linux · CompilerNotFoundError when no compiler runs · PreloadBuildError when it fails.
 */
export async function buildPreload(opts: BuildPreloadOptions = {}): Promise<PreloadBuild> {
  if (process.platform !== 'linux') {
    throw new RecordUnsupportedError(`heapkit record needs Linux (LD_PRELOAD); this is ${process.platform}`);
  }
  const ccWords = (opts.cc ?? process.env.CC ?? 'cc').trim().split(/\s+/);
  const src = preloadSourcePath();
  const source = readFileSync(src);
  const key = createHash('sha256').update(source).update('\0' + ccWords.join(' ') + '\0' + process.arch).digest('hex').slice(0, 16);
  const dir = opts.cacheDir ?? defaultCacheDir();
  const out = join(dir, `heapkit-preload-${key}.so`);
  if (existsSync(out)) return { path: out, cached: true };
  mkdirSync(dir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const args = [...ccWords.slice(1), '-shared', '-fPIC', '-O2', '-o', tmp, src, '-ldl', '-pthread'];
  const r = await run(ccWords[0]!, args);
  if (r.missing) {
    throw new CompilerNotFoundError(
      `no C compiler found (tried '${ccWords[0]}'): heapkit record builds a small preload library on first use; ` +
        `install one (e.g. 'apt-get install gcc') or set CC to a compiler`,
    );
  }
  if (r.code !== 0) {
    rmSync(tmp, { force: true });
    throw new PreloadBuildError(`'${ccWords.join(' ')}' could not build ${src}:\n${r.output.trim()}`);
  }
  renameSync(tmp, out);
  return { path: out, cached: false };
}
