/**
 * property.test.ts — random malloc/free/realloc/calloc/alignedAlloc sequences on every preset, against a model,
 * with checkHeap() after every step and payload integrity checked throughout.
 */
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { allocatorNames, createHeap } from '../../src/index.js';
import { Model } from './model.js';

const size = fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 9000 }));
const op = fc.oneof(
  { weight: 5, arbitrary: fc.record({ k: fc.constant('malloc' as const), n: size }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('free' as const), i: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('realloc' as const), i: fc.nat(), n: size }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('calloc' as const), n: fc.integer({ min: 0, max: 40 }), s: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('aligned' as const), a: fc.constantFrom(8, 16, 32, 64, 256, 4096), n: size }) },
);

for (const align of [16, 8] as const) {
  describe(`every preset against the model (align ${align})`, () => {
    for (const name of allocatorNames) {
      it(name, () => {
        fc.assert(
          fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
            const model = new Model(createHeap({ allocator: name, align }));
            for (const o of ops) {
              if (o.k === 'malloc') model.malloc(o.n);
              else if (o.k === 'free') model.free(o.i);
              else if (o.k === 'realloc') model.realloc(o.i, o.n);
              else if (o.k === 'calloc') model.calloc(o.n, o.s);
              else model.aligned(o.a, o.n);
              model.check();
            }
            while (model.live.length > 0) model.free(0);
            model.check();
          }),
          { numRuns: align === 16 ? 60 : 25 },
        );
      });
    }
  });
}
