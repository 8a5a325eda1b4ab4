/**
 * record.ts — `heapkit record -o out.rep.gz -- PROGRAM ARGS...`: trace a native program's malloc calls.
 * Exports `registerRecord`.
 */
import type { Command } from 'commander';
import { recordProgram } from '../../node/record/index.js';

/** Adds `heapkit record` to the program. */
export function registerRecord(program: Command): void {
  program
    .command('record')
    .description("run a native program with its malloc family interposed and write its .rep trace (Linux; builds a preload library with 'cc' on first use)")
    .requiredOption('-o, --out <file>', 'trace to write (.rep, or .rep.gz to gzip)')
    .option('--cc <command>', 'C compiler for the preload library (default $CC or cc)')
    .option('--busiest', 'trace the process image with the most calls instead of the started program (after its execs)')
    .option('--json', 'print the summary as JSON')
    .argument('<program>', 'program to run')
    .argument('[args...]', 'its arguments (put -- before the program)')
    .action(async (prog: string, args: string[], o: { out: string; cc?: string; json?: boolean; busiest?: boolean }) => {
      const r = await recordProgram({ program: prog, args, out: o.out, select: o.busiest ? 'busiest' : 'main', ...(o.cc ? { cc: o.cc } : {}) });
      if (o.json) {
        process.stdout.write(JSON.stringify(r, null, 2) + '\n');
      } else {
        const why = r.signal ? `killed by ${r.signal}` : `exit ${r.exitCode}`;
        process.stderr.write(
          `heapkit record: ${r.out}: ${r.ops} ops, ${r.ids} blocks (${r.liveAtEnd} live at the end); program ${why}\n` +
            `  dropped: ${r.freeNull} free(NULL), ${r.unknownFrees} frees of unknown pointers, ${r.failed} failed calls\n` +
            (r.images.length > 1
              ? `  ${r.images.length} process images logged calls; traced pid ${r.chosen!.pid} (${r.chosen!.calls} calls${o.busiest ? ', the most' : ', the started program'})\n`
              : ''),
        );
      }
      if (r.exitCode !== 0 && r.exitCode !== null) process.exitCode = r.exitCode;
      else if (r.signal) process.exitCode = 128;
    });
}
