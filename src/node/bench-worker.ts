/**
 * bench-worker.ts — the worker-thread entry of the bench pool: runs the jobs it is sent, one at a time.
 * Exports nothing; speaks the protocol of bench-job.ts over `parentPort`.
 */
import { parentPort } from 'node:worker_threads';
import { runBenchJob, type WorkerReply, type WorkerRequest } from './bench-job.js';

const port = parentPort;
if (port === null) throw new Error('bench-worker.ts must run in a worker thread');
const send = (m: WorkerReply): void => port.postMessage(m);
port.on('message', (m: WorkerRequest) => {
  if (m.type !== 'job') return;
  void runBenchJob(m.job, (header) => send({ type: 'parsed', header })).then((record) => send({ type: 'done', record }));
});
send({ type: 'ready' });
