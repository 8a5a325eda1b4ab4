/**
 * spawn.ts — starts a TypeScript module as a worker_thread under tsx.
 * Exports `spawnTsWorker`.
 *
 * Node 20 ignores `execArgv: ['--import', 'tsx']` for a worker's own entry (".ts" is unknown to
 * the worker's loader), so the worker is a tiny evaluated script that registers tsx's ESM hooks
 * with `tsx/esm/api` and then imports the real entry. Works under `node --import tsx --test`.
 */
import { Worker } from 'node:worker_threads';

/** Starts `entry` (a .ts file URL) in a new worker with `workerData`. */
export function spawnTsWorker(entry: URL, workerData: unknown): Worker {
  const api = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(code, { eval: true, workerData });
}
