/**
 * shared-soak.ts — the long version of test/shared/torture.test.ts: many rounds of the multi-worker torture on one shared heap.
 * Exports nothing (a script). Usage: node --import tsx scripts/shared-soak.ts [--minutes M] [--workers 2,3,4] [--ops N] [--rounds R]
 *
 * Repeats torture runs with fresh seeds, cycling through the worker counts and heap sizes (a roomy
 * heap and one at the edge of ENOMEM), until the time is up; stops at the first violation and
 * prints the seed that reproduces it.
 */
import { runTorture } from '../test/shared/torture-run.js';

const argv = process.argv.slice(2);
function arg(name: string, def: string): string {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1]! : def;
}
const minutes = Number(arg('--minutes', '10'));
const workerCounts = arg('--workers', '2,3,4').split(',').map(Number);
const opsPerRound = Number(arg('--ops', '20000'));
const rounds = Number(arg('--rounds', '10'));
const sizes = [64 << 20, 6 << 20];

const end = Date.now() + minutes * 60_000;
let run = 0;
let totalOps = 0;
let totalChecks = 0;
while (Date.now() < end) {
  const workers = workerCounts[run % workerCounts.length]!;
  const maxBytes = sizes[Math.floor(run / workerCounts.length) % sizes.length]!;
  const seed = (Date.now() ^ (run * 0x9e3779b9)) >>> 0;
  try {
    const r = await runTorture({ workers, rounds, opsPerRound, seed, maxBytes, maxHeld: 3000, timeoutMs: 10 * 60_000 });
    totalOps += r.ops;
    totalChecks += r.checks;
    console.log(
      `run ${run}: ${workers} workers, heap ≤ ${maxBytes >> 20} MiB, seed ${seed}: ${r.ops} ops (${r.enomem} ENOMEM), ${r.checks} quiescent checks, high water ${(r.highWater / 2 ** 20).toFixed(1)} MiB, ${(r.ms / 1000).toFixed(1)} s`,
    );
  } catch (e) {
    console.error(`run ${run} FAILED (${workers} workers, maxBytes ${maxBytes}, seed ${seed}, ${rounds}×${opsPerRound} ops):\n${(e as Error).message}`);
    process.exit(1);
  }
  run++;
}
console.log(`soak passed: ${run} runs, ${totalOps} operations, ${totalChecks} quiescent heap checks`);
