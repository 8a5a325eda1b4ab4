/**
 * ui.test.ts — the web visualizer in a real browser (Debian's Chromium via playwright-core): what is drawn
 * must match the library's heap at that step, for one and two allocators; the free index drawn must be the
 * library's (list order, size classes, AVL nodes, rover); COOP/COEP headers; screenshots.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createHeap } from '../../src/alloc/create.js';
import { readTraceFileSync } from '../../src/node/read-trace.js';
import { HeapStepper } from '../../src/report/stepper.js';
import { ARTIFACTS, uiSession } from './browser.js';
import { MAX_CHIPS } from '../../src/web/index-view.js';
import type { FreeIndexView } from '../../src/alloc/index/free-index.js';

const ui = uiSession();
const { skip } = ui;
const open = ui.open;

const TRACE_FILES: Record<string, string> = {
  'amptjp-bal': 'traces/malloclab/amptjp-bal.rep',
  'random-bal': 'traces/malloclab/random-bal.rep',
  'short1-bal': 'traces/malloclab/short1-bal.rep',
  'binary-bal': 'traces/malloclab/binary-bal.rep',
};

/** Block addresses (hex, as the page writes them) of `allocator`'s heap after `step` ops, by the library. */
function libraryBlocks(trace: string, allocator: string, step: number): string[] {
  const t = readTraceFileSync(TRACE_FILES[trace]!);
  const s = new HeapStepper(t, () => createHeap({ allocator }));
  s.seek(step);
  return s.blocks().map((b) => '0x' + b.addr.toString(16).padStart(6, '0'));
}

async function drawn(page: Page, pane: 'A' | 'B'): Promise<string[]> {
  return page.locator(`.pane[data-pane="${pane}"] [data-block]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-block')!));
}


const stepOf = (page: Page): number => Number(new URL(page.url()).searchParams.get('step'));

test('the server sends the cross-origin-isolation headers and serves the app', async () => {
  const r = await fetch(ui.server.url);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('cross-origin-opener-policy'), 'same-origin');
  assert.equal(r.headers.get('cross-origin-embedder-policy'), 'require-corp');
  assert.match(await r.text(), /<title>heapkit/);
  const missing = await fetch(ui.server.url + 'nope.js');
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('cross-origin-embedder-policy'), 'require-corp');
  const escape = await fetch(ui.server.url + '..%2f..%2fpackage.json');
  assert.notEqual(escape.status, 200);
});

test('first screen: the default trace is drawn, one element per heap block, cross-origin isolated', { skip }, async () => {
  const page = await open();
  assert.equal(await page.evaluate(() => globalThis.crossOriginIsolated), true);
  assert.equal(await page.evaluate(() => typeof SharedArrayBuffer), 'function');
  const url = new URL(page.url());
  const trace = url.searchParams.get('trace')!;
  const a = url.searchParams.get('a')!;
  const b = url.searchParams.get('b')!;
  const step = stepOf(page);
  assert.ok(step > 0, 'the first screen shows a heap with blocks in it');
  const A = await drawn(page, 'A');
  assert.ok(A.length > 10);
  assert.deepEqual(A, libraryBlocks(trace, a, step));
  assert.deepEqual(await drawn(page, 'B'), libraryBlocks(trace, b, step));
  await page.screenshot({ path: join(ARTIFACTS, 'ui-default.png') });
  await page.close();
});

test('pick a trace, step with keys and buttons: drawn blocks follow the library step by step', { skip }, async () => {
  const page = await open();
  await page.selectOption('#trace', 'random-bal');
  await page.selectOption('#allocA', 'implicit-first');
  await page.selectOption('#allocB', 'none');
  assert.equal(stepOf(page), 0);
  assert.equal(await page.locator('.pane').count(), 1);
  await page.locator('body').press('ArrowRight');
  await page.locator('body').press('ArrowRight');
  await page.click('#fwd');
  assert.equal(stepOf(page), 3);
  assert.deepEqual(await drawn(page, 'A'), libraryBlocks('random-bal', 'implicit-first', 3));
  await page.keyboard.press('Shift+ArrowRight');
  await page.keyboard.press('PageDown');
  assert.equal(stepOf(page), 1103);
  assert.deepEqual(await drawn(page, 'A'), libraryBlocks('random-bal', 'implicit-first', 1103));
  await page.keyboard.press('ArrowLeft'); // backwards replays from the start
  assert.deepEqual(await drawn(page, 'A'), libraryBlocks('random-bal', 'implicit-first', 1102));
  // scrub
  await page.locator('#scrub').fill('2500');
  assert.equal(stepOf(page), 2500);
  assert.deepEqual(await drawn(page, 'A'), libraryBlocks('random-bal', 'implicit-first', 2500));
  // play a few frames, then pause
  await page.keyboard.press('Space');
  await page.waitForFunction(() => Number(new URL(location.href).searchParams.get('step')) > 2520);
  await page.keyboard.press('Space');
  const s = stepOf(page);
  assert.deepEqual(await drawn(page, 'A'), libraryBlocks('random-bal', 'implicit-first', s));
  await page.close();
});

test('two allocators side by side on one trace, hover a block, URL restores the view', { skip }, async () => {
  const page = await open('?trace=amptjp-bal&a=implicit-best&b=segregated&step=2000');
  assert.equal(await page.locator('.pane').count(), 2);
  const A = await drawn(page, 'A');
  const B = await drawn(page, 'B');
  assert.deepEqual(A, libraryBlocks('amptjp-bal', 'implicit-best', 2000));
  assert.deepEqual(B, libraryBlocks('amptjp-bal', 'segregated', 2000));
  assert.notDeepEqual(A, B, 'different allocators place blocks differently');
  assert.equal(await page.locator('.curves svg').count() >= 3, true);
  // hover an allocated block: address, size, id and history
  const g = page.locator('.pane[data-pane="A"] g.blk.allocated').nth(5);
  const addr = await g.getAttribute('data-block');
  await g.locator('rect').first().hover({ force: true });
  const tip = page.locator('#tip');
  await tip.waitFor({ state: 'visible' });
  const text = await tip.innerText();
  assert.match(text, new RegExp(`allocated block at ${addr}`));
  assert.match(text, /id \d+/);
  assert.match(text, /history: a \d+@\d+/);
  await page.screenshot({ path: join(ARTIFACTS, 'ui-compare-hover.png') });
  // swap with x
  await page.mouse.move(0, 0);
  await page.keyboard.press('x');
  const u = new URL(page.url());
  assert.equal(u.searchParams.get('a'), 'segregated');
  assert.equal(u.searchParams.get('b'), 'implicit-best');
  assert.deepEqual(await drawn(page, 'A'), B);
  await page.close();
});

test('a heap with thousands of blocks is drawn on a canvas carrying the block count', { skip }, async () => {
  const page = await open('?trace=binary-bal&a=implicit-first&b=none&step=8000');
  const count = await page.locator('.pane[data-pane="A"] canvas[data-blocks]').getAttribute('data-blocks');
  assert.equal(Number(count), libraryBlocks('binary-bal', 'implicit-first', 8000).length);
  await page.screenshot({ path: join(ARTIFACTS, 'ui-canvas-binary.png') });
  await page.close();
});

test('a dropped-in user trace is parsed and drawn', { skip }, async () => {
  const page = await open();
  const dir = mkdtempSync(join(tmpdir(), 'heapkit-ui-'));
  const file = join(dir, 'mine.rep');
  writeFileSync(file, '0\n3\n5\n1\na 0 100\na 1 2000\na 2 30\nf 1\nr 0 500\n');
  await page.setInputFiles('#file', file);
  await page.waitForFunction(() => new URL(location.href).searchParams.get('trace') === 'user:mine');
  await page.keyboard.press('End');
  assert.equal(stepOf(page), 5);
  const t = (await import('../../src/trace/parse.js')).parseTrace('0\n3\n5\n1\na 0 100\na 1 2000\na 2 30\nf 1\nr 0 500\n');
  const s = new HeapStepper(t, () => createHeap({ allocator: new URL(page.url()).searchParams.get('a')! }));
  s.seek(5);
  assert.equal((await drawn(page, 'A')).length, s.blocks().length);
  await page.screenshot({ path: join(ARTIFACTS, 'ui-user-trace.png') });
  await page.close();
});

/** The library's own picture of `allocator`'s free index after `step` ops. */
function libraryIndex(trace: string, allocator: string, step: number): FreeIndexView {
  const t = readTraceFileSync(TRACE_FILES[trace]!);
  const s = new HeapStepper(t, () => createHeap({ allocator }));
  s.seek(step);
  return (s.heap as unknown as { freeIndexView(): FreeIndexView }).freeIndexView();
}

const hx = (n: number): string => '0x' + n.toString(16).padStart(6, '0');

test('free index: list links in link order, one row per size class, links on the map, l selects a list', { skip }, async () => {
  const page = await open('?trace=amptjp-bal&a=explicit-lifo&b=segregated&step=1898');
  const lifo = libraryIndex('amptjp-bal', 'explicit-lifo', 1898);
  assert.equal(lifo.kind, 'list');
  const A = page.locator('.pane[data-pane="A"] .index');
  assert.equal(await A.locator('[data-list]').count(), 1);
  assert.equal(Number(await A.locator('[data-list="0"]').getAttribute('data-count')), lifo.lists![0]!.blocks.length);
  const chips = await A.locator('[data-list="0"] [data-free]').evaluateAll((els) => els.map((e) => e.getAttribute('data-free')!));
  assert.deepEqual(chips, lifo.lists![0]!.blocks.slice(0, MAX_CHIPS).map(hx));
  // every chip names a free block drawn in the map
  const freeDrawn = new Set(await page.locator('.pane[data-pane="A"] g.blk.free').evaluateAll((els) => els.map((e) => e.getAttribute('data-block')!)));
  for (const c of chips) assert.ok(freeDrawn.has(c), `chip ${c} is a free block of the map`);
  // the map draws the list's links: one arc per consecutive pair
  const links = await page.locator('.pane[data-pane="A"] svg.links [data-link]').evaluateAll((els) => els.map((e) => e.getAttribute('data-link')!));
  const bs = lifo.lists![0]!.blocks;
  assert.deepEqual(links, bs.slice(0, -1).slice(0, 400).map((b, i) => `${hx(b)}>${hx(bs[i + 1]!)}`));
  // segregated: one row per non-empty class, in class order, with the class's blocks in link order
  const seg = libraryIndex('amptjp-bal', 'segregated', 1898);
  const rows = await page.locator('.pane[data-pane="B"] [data-list]').evaluateAll((els) =>
    els.map((e) => ({ label: e.querySelector('.fl-label')!.textContent, blocks: [...e.querySelectorAll('[data-free]')].map((c) => c.getAttribute('data-free')) })),
  );
  assert.deepEqual(rows, seg.lists!.map((l) => ({ label: l.label, blocks: l.blocks.slice(0, MAX_CHIPS).map(hx) })));
  assert.ok(rows.length >= 2);
  // l moves the drawn links to the next list
  await page.keyboard.press('l');
  assert.equal(new URL(page.url()).searchParams.get('list'), '1');
  assert.equal(await page.locator('.pane[data-pane="B"] [data-list="1"]').getAttribute('class'), 'fl-row sel');
  const segLinks = await page.locator('.pane[data-pane="B"] svg.links [data-link]').count();
  assert.equal(segLinks, seg.lists![1]!.blocks.length - 1);
  // hover a chip: its block lights up in the map
  await page.locator('.pane[data-pane="B"] [data-list="0"] [data-free]').first().hover();
  assert.equal(await page.locator('.pane[data-pane="B"] g.blk.hl').getAttribute('data-block'), seg.lists![0]!.blocks[0] !== undefined ? hx(seg.lists![0]!.blocks[0]!) : null);
  await page.screenshot({ path: join(ARTIFACTS, 'ui-free-lists.png') });
  // stepping redraws the index from the library
  await page.mouse.move(0, 0);
  await page.keyboard.press('Shift+ArrowRight');
  const lifo2 = libraryIndex('amptjp-bal', 'explicit-lifo', 1998);
  assert.equal(Number(await A.locator('[data-list="0"]').getAttribute('data-count')), lifo2.lists![0]!.blocks.length);
  await page.close();
});

test('free index: the AVL tree (nodes, edges, root) and the next-fit rover match the library', { skip }, async () => {
  const page = await open('?trace=amptjp-bal&a=tree-best&b=implicit-next&step=2500');
  const tree = libraryIndex('amptjp-bal', 'tree-best', 2500);
  assert.equal(tree.kind, 'tree');
  const A = page.locator('.pane[data-pane="A"] .index');
  const nodes = await A.locator('[data-node]').evaluateAll((els) =>
    els.map((e) => ({ block: e.getAttribute('data-node'), left: e.getAttribute('data-left'), right: e.getAttribute('data-right') })),
  );
  const want = tree.nodes!.map((n) => ({ block: hx(n.block), left: hx(n.left), right: hx(n.right) }));
  const byBlock = (a: { block: string | null }, b: { block: string | null }) => (a.block! < b.block! ? -1 : 1);
  assert.deepEqual(nodes.sort(byBlock), want.sort(byBlock));
  assert.ok(nodes.length >= 3);
  assert.equal(await A.locator('[data-edge]').count(), nodes.length - 1, 'a tree of n nodes has n − 1 edges');
  assert.equal(await A.locator('.tn.root').getAttribute('data-node'), hx(tree.root!));
  const next = libraryIndex('amptjp-bal', 'implicit-next', 2500);
  assert.ok(next.rover! > 0);
  assert.equal(await page.locator('.pane[data-pane="B"] svg.links [data-rover]').getAttribute('data-rover'), hx(next.rover!));
  await page.screenshot({ path: join(ARTIFACTS, 'ui-free-tree-rover.png') });
  await page.close();
});
