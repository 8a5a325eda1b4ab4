/**
 * vm.ts — `heapkit vm [--json]`: a scripted virtual-memory scenario (a shell forks two commands) with page tables,
 * frame sharing and fault counts. Exports `registerVm`, `runVmScenario`, `VmScenarioReport`.
 *
 * The scenario: `sh` maps the named object "libc.so" (text r-x private, data rw- private), private data,
 * a shared anonymous "pipe" page and a heapkit heap on its brk area; it forks `ls` and `grep`, which
 * run library code (instruction fetches), write their private data and the pipe, and keep allocating
 * on the inherited heap (copy-on-write). The report shows each process's areas and page table, which
 * frames are shared by whom, and the fault / COW counters; then every process exits and the report
 * shows the frames that remain (the library's page cache).
 */
import type { Command } from 'commander';
import { createMachine, type AreaInfo, type MachineStats, type PageInfo, type Process, type ProcessStats, type VmEvent } from '../../vm/index.js';
import { attachHeap, createHeap } from '../../alloc/create.js';

/** One process in the report. */
export interface VmProcessReport {
  pid: number;
  name: string;
  stats: ProcessStats;
  areas: AreaInfo[];
  pageTable: PageInfo[];
}

/** Everything `heapkit vm` prints. */
export interface VmScenarioReport {
  pageSize: number;
  frames: number;
  /** What happened, step by step. */
  steps: string[];
  /** Processes before they exit. */
  processes: VmProcessReport[];
  /** Frames mapped by two or more page tables: which pids map them. */
  sharedFrames: { frame: number; refs: number; pids: number[] }[];
  /** Machine-wide figures before the exits. */
  machine: MachineStats;
  /** Machine-wide figures after every process exited. */
  afterExit: MachineStats;
  /** Events per kind over the whole run. */
  eventCounts: Record<string, number>;
  /** The first events (fork and faults of the children), for drawing. */
  events: VmEvent[];
  /** The invariant audit: empty when the machine is consistent. */
  violations: string[];
}

const PS = 4096;

/** Runs the scenario and returns its report (no printing). */
export function runVmScenario(): VmScenarioReport {
  const m = createMachine({ frames: 256, pageSize: PS, eventCapacity: 1024 });
  const steps: string[] = [];
  const names = new Map<number, string>();
  const lib = new Uint8Array(5 * PS);
  for (let i = 0; i < lib.length; i++) lib[i] = (i * 131 + 7) & 0xff;
  m.createObject('libc.so', lib);

  const sh = m.spawn();
  names.set(sh.pid, 'sh');
  const text = sh.mmap(3 * PS, { prot: 'rx', flags: 'private', object: 'libc.so', offset: 0 });
  const data = sh.mmap(2 * PS, { prot: 'rw', flags: 'private', object: 'libc.so', offset: 3 * PS });
  const priv = sh.mmap(4 * PS, { prot: 'rw', flags: 'private' });
  const pipe = sh.mmap(PS, { prot: 'rw', flags: 'shared' });
  steps.push(`sh (pid ${sh.pid}) maps libc.so text r-x at 0x${text.toString(16)}, libc.so data rw- at 0x${data.toString(16)}, 4 private pages at 0x${priv.toString(16)}, a shared pipe page at 0x${pipe.toString(16)}`);
  for (let pg = 0; pg < 3; pg++) sh.fetch32(text + pg * PS);
  sh.load32(data);
  sh.store32(data + PS, 1); // the library's writable data: first write copies the object page
  for (let pg = 0; pg < 4; pg++) sh.store32(priv + pg * PS, 0x5e11 + pg);
  const heap = createHeap({ memory: sh.heapMemory() });
  const history: number[] = [];
  for (let i = 0; i < 40; i++) {
    const p = heap.malloc(200 + i * 8);
    heap.memory.u8.fill(0x60 + (i % 16), p, p + 200);
    history.push(p);
  }
  steps.push(`sh runs libc code (3 text pages faulted in from the object), writes its data and private pages, and allocates 40 history blocks on its heap (brk ${hexa(sh.brk)})`);

  const run = (name: string, seed: number): Process => {
    const c = sh.fork();
    names.set(c.pid, name);
    for (let pg = 0; pg < 3; pg++) c.fetch32(text + pg * PS);
    c.load32(data);
    c.store32(priv + seed * PS, 0xc0de0000 + seed);
    c.store32(pipe + seed * 4, c.pid);
    const h = attachHeap(c.heapMemory());
    for (let i = 0; i < 3; i++) {
      const p = h.malloc(100);
      h.memory.u8.fill(seed, p, p + 100);
    }
    c.sync();
    steps.push(`${name} (pid ${c.pid}) forked from sh: runs libc (no copy: text is shared), writes private page ${seed}, writes the pipe, allocates 3 blocks on its heap (copy-on-write)`);
    return c;
  };
  const ls = run('ls', 1);
  const grep = run('grep', 2);
  heap.free(history[0]);
  sh.sync();
  steps.push(`sh frees a history block and syncs its heap; the pipe reads ${sh.load32(pipe + 4)} and ${sh.load32(pipe + 8)} (written by the children)`);
  const violations = [...m.check(), ...heap.checkHeap().map((v) => `sh heap: ${v.message}`)];

  const procs = m.processes();
  const processes: VmProcessReport[] = procs.map((p) => ({ pid: p.pid, name: names.get(p.pid) ?? '?', stats: p.stats(), areas: p.maps(), pageTable: p.pageTable() }));
  const byFrame = new Map<number, number[]>();
  for (const p of processes) for (const e of p.pageTable) byFrame.set(e.frame, [...(byFrame.get(e.frame) ?? []), p.pid]);
  const sharedFrames = [...byFrame]
    .filter(([, pids]) => pids.length >= 2)
    .map(([frame, pids]) => ({ frame, refs: m.phys.refs[frame], pids }))
    .sort((a, b) => a.frame - b.frame);
  const machine = m.stats();
  for (const p of [ls, grep, sh]) p.exit();
  steps.push('ls, grep and sh exit: every frame not cached by libc.so returns to the free list');
  const afterExit = m.stats();
  const events = m.events();
  const eventCounts: Record<string, number> = {};
  for (const e of events) eventCounts[e.kind] = (eventCounts[e.kind] ?? 0) + 1;
  violations.push(...m.check());
  return { pageSize: PS, frames: m.frames, steps, processes, sharedFrames, machine, afterExit, eventCounts, events: events.slice(0, 200), violations };
}

function hexa(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}

/** The report as text for a terminal. */
export function renderVmReport(r: VmScenarioReport): string {
  const out: string[] = [];
  out.push(`heapkit vm — a shell forks two commands (${r.pageSize}-byte pages, ${r.frames} frames)`, '');
  for (const s of r.steps) out.push(`  • ${s}`);
  for (const p of r.processes) {
    const s = p.stats;
    out.push('', `process ${p.pid} (${p.name})${s.ppid ? `, parent ${s.ppid}` : ''}: ${s.residentPages} resident pages (${s.sharedPages} shared), ${s.minorFaults} minor + ${s.majorFaults} major faults, ${s.cowCopies} COW copies, ${s.cowReuses} COW reuses`);
    out.push('  areas');
    for (const a of p.areas) out.push(`    ${hexa(a.start)}-${hexa(a.end)} ${a.prot} ${a.shared ? 'shared ' : 'private'} ${a.heap ? '[heap]' : a.object === null ? '[anon]' : `${a.object} +0x${a.offset.toString(16)}`}`);
    out.push('  page table   vpn → frame  flags (P R W X C A D S)  refs');
    for (const e of p.pageTable) out.push(`    ${('0x' + e.vpn.toString(16)).padEnd(9)} → ${String(e.frame).padStart(5)}  ${e.flags}  ${e.refs}`);
  }
  out.push('', `frames shared by two or more page tables: ${r.sharedFrames.length}`);
  for (const f of r.sharedFrames) out.push(`    frame ${String(f.frame).padStart(4)}  refs ${f.refs}  mapped by pids ${f.pids.join(', ')}`);
  const mm = r.machine;
  out.push('', `machine: ${mm.framesInUse}/${mm.frames} frames in use, ${mm.framesShared} shared, ${mm.framesCached} in libc.so's page cache; ` +
    `${mm.minorFaults} minor + ${mm.majorFaults} major faults, ${mm.cowCopies} frames copied on write, ${mm.cowReuses} COW faults resolved without a copy, ${mm.forks} forks, ${mm.writebacks} heap pages written back`);
  out.push(`after every exit: ${r.afterExit.framesInUse} frames in use (${r.afterExit.framesCached} cached by libc.so), ${r.afterExit.processes} processes`);
  out.push(`events: ${Object.entries(r.eventCounts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  out.push(r.violations.length === 0 ? 'invariants: ok' : `invariants VIOLATED:\n  ${r.violations.join('\n  ')}`);
  return out.join('\n') + '\n';
}

/** Adds `heapkit vm` to the program. */
export function registerVm(program: Command): void {
  program
    .command('vm')
    .description('run a virtual-memory scenario (a shell forking commands that share a library, copy-on-write heap) and print page tables, frame sharing and fault counts')
    .option('--json', 'print the whole report as one JSON object')
    .action((o: { json?: boolean }) => {
      const r = runVmScenario();
      process.stdout.write(o.json ? JSON.stringify(r) + '\n' : renderVmReport(r));
      if (r.violations.length > 0) process.exitCode = 1;
    });
}
