/**
 * debug-heap-reports.ts — plants one bug of each kind in a small program on the debug heap and prints
 * the real reports (what the note quotes), then a leak check of a small pointer graph.
 *
 * Usage: node --import tsx bench/debug-heap-reports.ts [--short]   (--short: headline lines only)
 */
import { createDebugHeap, type MemoryReport } from '../src/index.js';

const short = process.argv.includes('--short');
const heap = createDebugHeap({ captureStacks: true });

function newRecord(n: number): number {
  return heap.malloc(n);
}
function dropRecord(p: number): void {
  heap.free(p);
}
function print(r: MemoryReport): void {
  console.log(short ? r.message.split('\n').filter((l) => !l.startsWith('    at ') || l.includes('debug-heap-reports')).join('\n') : r.message);
  console.log();
}

// heap-buffer-overflow: one byte past malloc(24), a plain write into the buffer, found by check()
const a = newRecord(24);
new Uint8Array(heap.buffer)[a + 24] = 1;
heap.check().forEach(print);

// heap-buffer-underflow: a checked 4-byte load just before the payload
const b = newRecord(64);
heap.load32(b - 4);
heap.check().forEach(print);

// heap-use-after-free: a checked read of a freed (quarantined) block
const c = newRecord(32);
dropRecord(c);
heap.load8(c + 8);
heap.check().forEach(print);

// double-free: the second free throws DoubleFreeError and is reported with all three sites
const d = newRecord(16);
dropRecord(d);
try {
  dropRecord(d);
} catch (e) {
  console.log(`(threw ${(e as Error).name})`);
}
heap.check().forEach(print);

// invalid-free: an interior pointer
const e = newRecord(48);
try {
  heap.free(e + 8);
} catch (err) {
  console.log(`(threw ${(err as Error).name})`);
}
heap.check().forEach(print);

// leaks: a lost chain, a reachable block, grouped by site
function makeChain(): number {
  const tail = heap.malloc(16);
  const head = heap.malloc(16);
  heap.store32(head, tail);
  return head;
}
makeChain();
const kept = makeChain();
const r = heap.leakCheck([kept, a, b, e]);
console.log(`leak check: definitely lost ${r.definitelyLost.blocks} blocks / ${r.definitelyLost.bytes} B, indirectly lost ${r.indirectlyLost.blocks} / ${r.indirectlyLost.bytes} B, still reachable ${r.stillReachable.blocks} / ${r.stillReachable.bytes} B`);
for (const g of r.groups) console.log(`  ${g.kind}: ${g.count} block(s), ${g.bytes} B, allocated ${(g.site ?? '').split('\n')[0]?.trim()}`);
