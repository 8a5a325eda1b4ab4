/**
 * worker.ts — the marker thread's entry: runs one marking cycle per message {heap, side, epoch}.
 * Exports nothing. Works as a Node `worker_threads` worker (found through `process.getBuiltinModule`, no import)
 * and as a browser module Web Worker (`self.onmessage`), which answers the page's 'ping' with 'ready' (spawn.ts's `markerReady`).
 */
import { runMarkingCycle, type MarkMessage } from './marker.js';

interface Port {
  on(event: 'message', fn: (m: MarkMessage) => void): void;
}
const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
const wt = proc?.getBuiltinModule?.('node:worker_threads') as { parentPort: Port | null } | undefined;
if (wt !== undefined && wt.parentPort !== null) {
  lowerThreadPriority();
  wt.parentPort.on('message', runMarkingCycle);
} else {
  const scope = globalThis as unknown as { onmessage: (e: { data: MarkMessage | 'ping' }) => void; postMessage(m: 'ready'): void };
  scope.onmessage = (e) => (e.data === 'ping' ? scope.postMessage('ready') : runMarkingCycle(e.data));
}

/**
 * Linux: gives this thread (only) the lowest scheduling priority, nice 19. The marker should use a core the
 * mutator leaves idle and never take the mutator's: on a machine with fewer free cores than runnable threads,
 * a marker at the mutator's priority gets time slices of the main thread, and each shows up there as a pause
 * of several milliseconds. `/proc/thread-self` names this thread's id, which `setpriority` takes for one thread.
 * Best effort: elsewhere (other systems, no /proc, a sandbox refusing it) the marker runs at normal priority.
 */
function lowerThreadPriority(): void {
  try {
    const fs = proc?.getBuiltinModule?.('node:fs') as { readlinkSync(p: string): string } | undefined;
    const os = proc?.getBuiltinModule?.('node:os') as { setPriority(pid: number, priority: number): void } | undefined;
    if (fs === undefined || os === undefined) return;
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) os.setPriority(tid, 19);
  } catch {
    // not Linux, or not allowed: normal priority
  }
}
