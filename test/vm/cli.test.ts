/**
 * cli.test.ts — end to end: `heapkit vm --json` runs the scripted scenario and prints one consistent JSON report;
 * the text form prints page tables and counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = (...args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'vm', ...args], { cwd: root, encoding: 'utf8' });

test('heapkit vm --json: page tables, frame sharing and counts of a shell forking two commands', () => {
  const r = JSON.parse(run('--json'));
  assert.deepEqual(r.violations, []);
  assert.deepEqual(r.processes.map((p: { name: string }) => p.name), ['sh', 'ls', 'grep']);
  const [sh, ls, grep] = r.processes;
  assert.equal(ls.stats.ppid, sh.pid);
  assert.equal(grep.stats.ppid, sh.pid);
  // the library text is one set of frames mapped by all three, read-only
  const text = (p: { pageTable: { address: number; frame: number; flags: string }[] }) => p.pageTable.filter((e) => e.address >= 0x4000_0000 && e.address < 0x4000_3000);
  assert.equal(text(sh).length, 3);
  assert.deepEqual(text(ls).map((e) => e.frame), text(sh).map((e) => e.frame));
  assert.deepEqual(text(grep).map((e) => e.frame), text(sh).map((e) => e.frame));
  assert.ok(text(sh).every((e) => e.flags.includes('X') && !e.flags.includes('W')));
  for (const f of text(sh)) assert.deepEqual(r.sharedFrames.find((s: { frame: number }) => s.frame === f.frame).pids, [sh.pid, ls.pid, grep.pid]);
  // each child copied only the pages it wrote
  assert.ok(ls.stats.cowCopies >= 1 && ls.stats.cowCopies < 6, `ls copied ${ls.stats.cowCopies}`);
  assert.equal(r.machine.forks, 2);
  assert.equal(r.machine.majorFaults, 5, 'five libc.so pages read in, once each');
  assert.ok(r.machine.framesShared > 5);
  assert.equal(r.afterExit.processes, 0);
  assert.equal(r.afterExit.framesInUse, r.afterExit.framesCached);
  assert.ok(r.events.some((e: { kind: string }) => e.kind === 'cow-copy'));
  assert.ok(r.eventCounts.fork === 2 && r.eventCounts.exit === 3);
});

test('heapkit vm prints areas, page tables and the invariant audit as text', () => {
  const out = run();
  assert.match(out, /process 1 \(sh\)/);
  assert.match(out, /page table/);
  assert.match(out, /0x40000\s+→\s+\d+\s+PR-XCA--/);
  assert.match(out, /frames shared by two or more page tables: \d+/);
  assert.match(out, /invariants: ok/);
});
