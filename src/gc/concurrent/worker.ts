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
  wt.parentPort.on('message', runMarkingCycle);
} else {
  const scope = globalThis as unknown as { onmessage: (e: { data: MarkMessage | 'ping' }) => void; postMessage(m: 'ready'): void };
  scope.onmessage = (e) => (e.data === 'ping' ? scope.postMessage('ready') : runMarkingCycle(e.data));
}
