/**
 * trace-files.ts — finding trace files: the bundled `traces/` folder and the files under given paths.
 * Exports `packageRoot`, `bundledTracesDir`, `collectTraceFiles`, `traceGroup`, `isTraceFile`.
 */
import { readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root folder: two levels above this file (`src/node/` or `dist/node/`). */
export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** The bundled trace sets (`<package>/traces`). */
export function bundledTracesDir(): string {
  return join(packageRoot(), 'traces');
}

/** Whether a file name is a trace (`.rep` or `.rep.gz`). */
export function isTraceFile(name: string): boolean {
  return name.endsWith('.rep') || name.endsWith('.rep.gz');
}

function walk(dir: string, out: string[]): void {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (isTraceFile(e.name)) out.push(p);
  }
}

/**
 * The trace files named by `args` (files, or folders searched recursively for `.rep`/`.rep.gz`),
 * in argument order, each folder's files sorted by path, duplicates dropped. No args = the bundled
 * traces. Throws an `Error` naming the first argument that is neither a file nor a folder.
 */
export function collectTraceFiles(args: readonly string[]): string[] {
  const list = args.length > 0 ? args : [bundledTracesDir()];
  const out: string[] = [];
  for (const a of list) {
    let st;
    try {
      st = statSync(a);
    } catch {
      throw new Error(`no such trace file or folder: ${a}`);
    }
    if (st.isDirectory()) {
      const found: string[] = [];
      walk(a, found);
      if (found.length === 0) throw new Error(`no .rep or .rep.gz files under ${a}`);
      out.push(...found);
    } else out.push(a);
  }
  return [...new Set(out)];
}

/**
 * The group (folder set) a trace is averaged in: its folder relative to the bundled `traces/`
 * (`malloclab`, `malloclab/csapp3e-autolab`, `malloclab-new`, `real`), or relative to the working
 * folder for traces elsewhere (`.` for the working folder itself).
 */
export function traceGroup(path: string): string {
  const dir = resolve(dirname(path));
  const root = bundledTracesDir();
  const inside = relative(root, dir);
  if (!inside.startsWith('..') && !isAbsolute(inside)) return inside === '' ? 'traces' : inside.split(sep).join('/');
  const rel = relative(process.cwd(), dir);
  return rel === '' ? '.' : rel.split(sep).join('/');
}
