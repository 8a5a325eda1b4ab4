/**
 * verify-unreachable-grey.test.ts — regression: the incremental plan's MARK-phase verifier counted a marked object in a
 * pending overflow/rescan range as grey only if it was still reachable, so it reported a false tri-colour violation.
 *
 * The case (random-graph seed 2147483639, stepBudget 8, an 8-entry fixed mark stack): object X overflowed the stack
 * and waits, marked, in the rescan range; the mutator copies X's pointer to white W into a new (black) object and
 * drops X. W is still reachable from grey X through its snapshot edge and the rescan will shade it — the
 * collector is right — but the verifier skipped X because X is no longer live, and said no grey object reaches W.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runRandomGraph } from '../../src/gc/index.js';
import { heapOf } from './shared.js';

describe('incremental verifier: grey objects in a pending rescan range that are no longer reachable', () => {
  it('seed 2147483639, stepBudget 8, markStackEntries 8: verified after every step, no false violation, checksums hold', () => {
    const { h, plan } = heapOf('incremental', { stepBudget: 8, continuous: true, debug: true, markStackEntries: 8, verifyEachCollection: true, maxBytes: 8 << 20, initialBytes: 64 * 1024, largeObjectBytes: 1024 });
    const r = runRandomGraph(h, { steps: 700, seed: 2147483639 });
    assert.ok(r.checksumOk, r.detail);
    assert.ok(r.checkedCollections > 20, `checked ${r.checkedCollections} collections`);
    assert.ok(plan.steps >= 350, `the run passes step #350, where the false report was (${plan.steps} steps)`);
    assert.ok(h.stats().markStackOverflows > 0, 'the overflow/rescan path ran');
    assert.deepEqual(h.verify(), []);
  });
});
