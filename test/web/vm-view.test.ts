/**
 * vm-view.test.ts — the virtual-memory view in a real browser: at every step of the script the page tables, frames
 * and lines drawn must be the library's (`pageTable()`, `machine.stats()`, physical memory's counts, the event log).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { runVmScenario, VM_STEPS } from '../../src/web/vm-scenario.js';
import { frameState } from '../../src/web/vm-view.js';
import { ARTIFACTS, uiSession } from './browser.js';

const ui = uiSession();
const { skip } = ui;
const open = ui.open;


/** What the page draws, read from its data attributes. */
async function drawn(page: Page) {
  return page.evaluate(() => {
    return {
      procs: [...document.querySelectorAll('[data-pid]')].map((g) => ({
        pid: Number(g.getAttribute('data-pid')),
        ptes: [...g.querySelectorAll('[data-pte]')].map((e) => `${e.getAttribute('data-pte')}>${e.getAttribute('data-frame-ref')}:${e.getAttribute('data-flags')}`),
        absent: g.querySelectorAll('[data-absent]').length,
      })),
      frames: [...document.querySelectorAll('[data-frame]')].map((e) => ({ f: Number(e.getAttribute('data-frame')), state: e.getAttribute('data-state'), refs: Number(e.getAttribute('data-refs')) })),
      maps: [...document.querySelectorAll('[data-map]')].map((e) => e.getAttribute('data-map')!),
      events: [...document.querySelectorAll('[data-event]')].map((e) => e.getAttribute('data-event')!),
      inUse: Number(document.querySelector('[data-stat="framesInUse"]')!.textContent),
      step: Number(new URL(location.href).searchParams.get('step')),
    };
  });
}

test('virtual memory: at every step the drawn page tables, frames and lines are the machine\'s', { skip }, async () => {
  const page = await open('?view=vm&step=0');
  for (let step = 0; step <= VM_STEPS.length; step++) {
    if (step > 0) await page.keyboard.press('ArrowRight');
    const d = await drawn(page);
    assert.equal(d.step, step);
    const sc = runVmScenario(step);
    const m = sc.machine;
    const st = m.stats();
    const what = `step ${step} (${VM_STEPS[step - 1]?.title ?? 'start'})`;
    // one process drawn per live process, its PTEs = its present page-table entries (resident pages)
    assert.deepEqual(d.procs.map((p) => p.pid), m.processes().map((p) => p.pid), what);
    for (const p of m.processes()) {
      const dp = d.procs.find((x) => x.pid === p.pid)!;
      const pt = p.pageTable();
      assert.equal(dp.ptes.length, p.stats().residentPages, `${what}: PTEs drawn for pid ${p.pid}`);
      assert.deepEqual(dp.ptes, pt.map((e) => `${p.pid}:${e.vpn}>${e.frame}:${e.flags}`), what);
      assert.equal(dp.absent, p.stats().mappedPages - p.stats().residentPages, `${what}: mapped but not present`);
    }
    // one line per PTE, to the frame it maps
    assert.equal(d.maps.length, st.residentPages, what);
    // every frame drawn with its state; frames in use = machine.stats().framesInUse
    assert.equal(d.frames.length, st.frames);
    assert.equal(d.frames.filter((f) => f.state !== 'free').length, st.framesInUse, `${what}: frames in use`);
    assert.equal(d.inUse, st.framesInUse);
    const ptes = m.processes().flatMap((p) => p.pageTable());
    for (const f of d.frames) {
      assert.equal(f.refs, m.phys.refs[f.f], `${what}: refs of frame ${f.f}`);
      assert.equal(f.state, frameState(m, f.f, ptes.filter((e) => e.frame === f.f)), `${what}: state of frame ${f.f}`);
    }
    // the step's events, as the event log has them
    assert.deepEqual(d.events, sc.lastEvents.map((e) => e.kind), what);
    if (step === 6) await page.screenshot({ path: join(ARTIFACTS, 'vm-fork.png') });
    if (step === 7) {
      assert.deepEqual(d.events, ['cow-copy']);
      await page.screenshot({ path: join(ARTIFACTS, 'vm-cow-copy.png') });
    }
  }
  // kinds the script must show at some step
  const kinds = new Set(VM_STEPS.flatMap((_s, i) => runVmScenario(i + 1).lastEvents.map((e) => e.kind)));
  for (const k of ['map', 'fault', 'page-in', 'fork', 'cow-copy', 'cow-reuse', 'exit']) assert.ok(kinds.has(k as never), `the script shows a ${k}`);
  // keys and URL: Home, End, back; the URL restores the step
  await page.keyboard.press('Home');
  assert.equal((await drawn(page)).step, 0);
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  assert.equal((await drawn(page)).step, VM_STEPS.length - 1);
  const again = await open(`?view=vm&step=9`);
  assert.equal(await again.locator('[data-pte]').count(), runVmScenario(9).machine.stats().residentPages);
  assert.equal(await again.locator('.vm-steps li.cur').getAttribute('data-step'), '9');
  await again.close();
  await page.close();
});
