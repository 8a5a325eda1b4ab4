/**
 * check-debug-heap.ts — `npm run check:debug-heap`: replays every bundled trace through the debug heap
 * (validated replay: payloads filled edge to edge and verified) and asserts zero reports — no false positives.
 *
 * Usage: node --import tsx scripts/check-debug-heap.ts [--alloc NAME] [TRACE-OR-FOLDER ...]
 * Exit code 1 when any trace produced a report, a validation error, or a heap violation.
 */
import { createDebugHeap, defaultAllocatorName } from '../src/index.js';
import { readTraceFileSync } from '../src/node/read-trace.js';
import { collectTraceFiles, traceGroup } from '../src/node/trace-files.js';
import { replayValidated } from '../src/trace/validate.js';

const args = process.argv.slice(2);
let allocator = defaultAllocatorName();
const paths: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--alloc') allocator = args[++i]!;
  else paths.push(args[i]!);
}

const files = collectTraceFiles(paths);
let failed = 0;
let totalOps = 0;
const t0 = performance.now();
for (const file of files) {
  const trace = readTraceFileSync(file);
  const heap = createDebugHeap({ allocator, maxBytes: 1024 * 1024 * 1024 });
  const t = performance.now();
  const v = replayValidated(trace, heap);
  const reports = heap.check();
  const violations = heap.checkHeap();
  const ms = performance.now() - t;
  totalOps += v.opsDone;
  const bad = reports.length > 0 || !v.ok || violations.length > 0;
  if (bad) failed++;
  const name = `${traceGroup(file)}/${trace.name}`;
  const note = v.refused > 0 ? ` (${v.refused} refused)` : '';
  process.stdout.write(`${bad ? 'FAIL' : 'ok  '} ${name.padEnd(44)} ${String(trace.length).padStart(8)} ops ${ms.toFixed(0).padStart(6)} ms  reports ${reports.length}${note}\n`);
  for (const r of reports.slice(0, 3)) process.stdout.write(r.message.split('\n').slice(0, 3).map((l) => '     ' + l).join('\n') + '\n');
  for (const e of v.errors.slice(0, 3)) process.stdout.write(`     validation: ${e}\n`);
  for (const x of violations.slice(0, 3)) process.stdout.write(`     checkHeap: ${x.message} at ${x.address}\n`);
}
const secs = (performance.now() - t0) / 1000;
process.stdout.write(`\n${files.length - failed}/${files.length} traces clean through debug:${allocator} (${totalOps} ops in ${secs.toFixed(1)} s)\n`);
if (failed > 0) process.exitCode = 1;
