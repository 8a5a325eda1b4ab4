/**
 * commands.ts — the list of `heapkit` sub-commands; each entry adds itself to the program.
 * One import line and one list entry per command module in `commands/`.
 */
import type { Command } from 'commander';
import { registerRecord } from './commands/record.js';

/** Adds one sub-command to the program. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerRecord];
