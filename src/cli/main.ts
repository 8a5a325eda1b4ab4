#!/usr/bin/env node
/**
 * main.ts — the `heapkit` command: parses the command line and hands it to one command module.
 * Each command lives in `commands/<name>.ts` and is listed in `commands.ts`.
 */
import { Command } from 'commander';
import { commands } from './commands.js';

const program = new Command();
program
  .name('heapkit')
  .description('heapkit — explicit allocators, virtual memory, garbage collection, diagnostics and a trace lab')
  .showHelpAfterError();
for (const register of commands) register(program);
program.parseAsync(process.argv).catch((err: unknown) => {
  const e = err as Error;
  process.stderr.write(`heapkit: ${e.name && e.name !== 'Error' ? e.name + ': ' : ''}${e.message}\n`);
  process.exitCode = 1;
});
