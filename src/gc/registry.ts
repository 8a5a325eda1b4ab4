/**
 * registry.ts — the collectors by name: each entry makes a fresh plan for one heap. New plans (incremental,
 * concurrent) call `registerCollector`, and the shared test suite in test/gc/ runs them all.
 * Exports `registerCollector`, `collectorNames`, `describeCollector`, `makePlan`, `CollectorEntry`.
 */
import type { GcPlan } from './heap.js';
import { createMarkSweepPlan } from './plan-mark-sweep.js';
import { createMarkCompactPlan } from './plan-mark-compact.js';
import { createSemispacePlan } from './plan-semispace.js';
import { createGenerationalPlan } from './plan-generational.js';

/** A registered collector. */
export interface CollectorEntry {
  name: string;
  description: string;
  /** Makes one plan instance (plans hold per-heap state). */
  create: () => GcPlan;
}

const registry = new Map<string, CollectorEntry>();

/** Adds (or replaces) a collector under `name`. */
export function registerCollector(name: string, create: () => GcPlan): void {
  const probe = create();
  registry.set(name, { name, description: probe.description, create });
}

/** Names of every registered collector, in registration order. */
export function collectorNames(): string[] {
  return [...registry.keys()];
}

/** The entry registered under `name`, or undefined. */
export function describeCollector(name: string): CollectorEntry | undefined {
  return registry.get(name);
}

/** A fresh plan for `name`; throws a RangeError naming the known collectors otherwise. */
export function makePlan(name: string): GcPlan {
  const e = registry.get(name);
  if (e === undefined) throw new RangeError(`unknown collector '${name}' (known: ${collectorNames().join(', ')})`);
  return e.create();
}

registerCollector('mark-sweep', createMarkSweepPlan);
registerCollector('mark-compact', createMarkCompactPlan);
registerCollector('semispace', createSemispacePlan);
registerCollector('generational', createGenerationalPlan);
