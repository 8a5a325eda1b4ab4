/**
 * commands.ts — the list of `heapkit` sub-commands; each entry adds itself to the program.
 * One import line and one list entry per command module in `commands/`.
 */
import type { Command } from 'commander';
import { registerReport } from './commands/report.js';
import { registerUi } from './commands/ui.js';
import { registerRecord } from './commands/record.js';
import { registerBench } from './commands/bench.js';
import { registerReplay } from './commands/replay.js';
import { registerAllocators } from './commands/allocators.js';
import { registerGc } from './commands/gc.js';
import { registerVm } from './commands/vm.js';

/** Adds one sub-command to the program. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerRecord, registerBench, registerReplay, registerAllocators, registerUi, registerReport, registerGc, registerVm];
