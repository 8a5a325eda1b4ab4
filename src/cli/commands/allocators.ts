/**
 * allocators.ts — `heapkit allocators`: the allocator presets with their one-line descriptions.
 * Exports `registerAllocators`.
 */
import type { Command } from 'commander';
import { allocatorNames, defaultAllocatorName, describeAllocator } from '../../index.js';

/** Adds `heapkit allocators` to the program. */
export function registerAllocators(program: Command): void {
  program
    .command('allocators')
    .description('list the allocator presets with a one-line description each')
    .option('--json', 'print a JSON array of { name, description, default }')
    .action((o: { json?: boolean }) => {
      const def = defaultAllocatorName();
      const rows = allocatorNames.map((name) => ({ name, description: describeAllocator(name) ?? '', default: name === def }));
      if (o.json) {
        process.stdout.write(JSON.stringify(rows, null, 1) + '\n');
        return;
      }
      const w = Math.max(...rows.map((r) => r.name.length)) + 2;
      for (const r of rows) process.stdout.write(`${r.name.padEnd(w)}${r.description}${r.default ? ' (default)' : ''}\n`);
    });
}
