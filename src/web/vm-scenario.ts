/**
 * vm-scenario.ts — the virtual-memory view's script: a small machine taken through mmap, demand faults, a mapped
 * file, shared memory, fork, copy-on-write faults and copies, and exit, one step at a time. DOM-free (tests replay it).
 * Exports `VM_STEPS`, `VmStep`, `VmScenario`, `runVmScenario`.
 *
 * Every step is applied to a fresh machine from the start (like the allocator view's stepper), so any step can be
 * shown in any order and the state shown is always the library's own.
 */
import { createMachine, type Machine, type Process, type VmEvent } from '../vm/index.js';

/** Bytes per page in the scenario (small pages keep the numbers readable; the library supports 64 B – 64 KiB). */
export const VM_PAGE = 4096;
/** Physical frames of the scenario's machine. */
export const VM_FRAMES = 20;

/** What a step does, for the caption. */
export interface VmStep {
  /** Short title shown in the step list. */
  title: string;
  /** One or two sentences on what happens and why. */
  text: string;
  /** Applies the step; `procs` are the processes so far by script name (P1, P2, ...). */
  run(m: Machine, procs: Map<string, Process>, a: Addresses): void;
}

/** Addresses the scenario's mappings got (filled by the steps that map them). */
export interface Addresses {
  data: number;
  lib: number;
  shm: number;
}

const say = (n: number): number => n; // values stored are arbitrary and shown in captions

/** The script. */
export const VM_STEPS: VmStep[] = [
  {
    title: 'spawn P1',
    text: 'A new process with an empty address space: no areas, no page-table entries, every frame free.',
    run(m, procs) {
      procs.set('P1', m.spawn());
    },
  },
  {
    title: 'P1: mmap 4 pages (anonymous, private)',
    text: 'mmap only records an area (rw-, private, demand-zero). No frame is used until a page is touched.',
    run(_m, procs, a) {
      a.data = procs.get('P1')!.mmap(4 * VM_PAGE, { prot: 'rw', flags: 'private' });
    },
  },
  {
    title: 'P1: write pages 0–2 (demand-zero faults)',
    text: 'Each first touch faults: the kernel takes a free frame, zeroes it and maps it writable. Page 3 stays unmapped.',
    run(_m, procs, a) {
      const p = procs.get('P1')!;
      for (let i = 0; i < 3; i++) p.store32(a.data + i * VM_PAGE, say(0x100 + i));
    },
  },
  {
    title: 'P1: mmap a file (lib.so, private r-x) and read it',
    text: 'Reading a file page is a major fault: the page is read into a frame that stays in the file’s page cache and is mapped read-only.',
    run(m, procs, a) {
      const bytes = new Uint8Array(2 * VM_PAGE);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 255;
      m.createObject('lib.so', bytes);
      const p = procs.get('P1')!;
      a.lib = p.mmap(2 * VM_PAGE, { prot: 'rx', flags: 'private', object: 'lib.so' });
      p.load32(a.lib);
      p.load32(a.lib + VM_PAGE);
    },
  },
  {
    title: 'P1: mmap 1 shared page and write it',
    text: 'A MAP_SHARED area: its frame will be shared with children for real (writes are seen by all), never copied.',
    run(_m, procs, a) {
      const p = procs.get('P1')!;
      a.shm = p.mmap(VM_PAGE, { prot: 'rw', flags: 'shared' });
      p.store32(a.shm, say(7));
    },
  },
  {
    title: 'fork: P1 → P2',
    text: 'The child gets a copy of the page table, not of the memory: every frame gains a reference, and private writable pages become read-only + copy-on-write in both processes.',
    run(_m, procs) {
      procs.set('P2', procs.get('P1')!.fork());
    },
  },
  {
    title: 'P2 writes data page 0 (COW fault → copy)',
    text: 'The write hits a read-only COW page whose frame two page tables map: the kernel copies the frame, points P2 at the copy, writable.',
    run(_m, procs, a) {
      procs.get('P2')!.store32(a.data, say(0x200));
    },
  },
  {
    title: 'P1 writes data page 1 (COW fault → copy)',
    text: 'Same for the parent: its page 1 still shares a frame with P2, so P1 gets a private copy.',
    run(_m, procs, a) {
      procs.get('P1')!.store32(a.data + VM_PAGE, say(0x111));
    },
  },
  {
    title: 'P2 writes data page 1 (COW fault → reuse)',
    text: 'P2 is now the only user of the old frame of page 1: the fault just makes it writable again, no copy.',
    run(_m, procs, a) {
      procs.get('P2')!.store32(a.data + VM_PAGE, say(0x211));
    },
  },
  {
    title: 'P2 writes the shared page',
    text: 'No fault and no copy: both page tables map the same frame writable, so P1 reads the value P2 wrote.',
    run(_m, procs, a) {
      procs.get('P2')!.store32(a.shm, say(42));
      procs.get('P1')!.load32(a.shm);
    },
  },
  {
    title: 'P2 writes data page 3 (demand-zero, child only)',
    text: 'The page was never touched before the fork, so the child faults in a fresh zeroed frame of its own.',
    run(_m, procs, a) {
      procs.get('P2')!.store32(a.data + 3 * VM_PAGE, say(0x233));
    },
  },
  {
    title: 'P2 exits',
    text: 'The child’s page table goes away: frames only it used return to the free pool; shared ones lose a reference.',
    run(_m, procs) {
      procs.get('P2')!.exit(0);
      procs.delete('P2');
    },
  },
  {
    title: 'P1 writes data page 2 (COW fault → reuse)',
    text: 'Page 2 is still marked copy-on-write in P1, but its frame has no other user any more: the fault re-enables writes.',
    run(_m, procs, a) {
      procs.get('P1')!.store32(a.data + 2 * VM_PAGE, say(0x122));
    },
  },
];

/** A machine after some steps of the script. */
export interface VmScenario {
  machine: Machine;
  /** Live processes by script name. */
  procs: Map<string, Process>;
  addresses: Addresses;
  /** Steps applied. */
  step: number;
  /** Events of the last step (empty at step 0). */
  lastEvents: VmEvent[];
}

/** A fresh machine with the first `n` steps applied (clamped to the script). */
export function runVmScenario(n: number): VmScenario {
  const step = Math.max(0, Math.min(VM_STEPS.length, Math.floor(n)));
  const machine = createMachine({ frames: VM_FRAMES, pageSize: VM_PAGE });
  const procs = new Map<string, Process>();
  const addresses: Addresses = { data: 0, lib: 0, shm: 0 };
  let since = 0;
  for (let i = 0; i < step; i++) {
    since = machine.stats().events;
    VM_STEPS[i]!.run(machine, procs, addresses);
  }
  return { machine, procs, addresses, step, lastEvents: step > 0 ? machine.events(since) : [] };
}
