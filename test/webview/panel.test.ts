import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { EventKind } from '../../src/engine/events';
import { simulateText } from '../../src/engine/simulate';
import { compareRows } from '../../src/engine/report/compare';
import { cellPosition, gridLayout } from '../../webview/views/gridLayout';
import { BACKGROUND_RGB, canvasSize, drawnStep, Harness, NODE_RGB, pixel, type PanelPage } from './harness';
import { buildRun, CPU0, CPU1, GPU0 } from './runFixture';

const SCENARIO = `machine x86-pcie
A = mmap 64K
B = mmap 32K
mbind A interleave cpu0,cpu1
cpu write A
cpu write B
move_pages B to cpu1
cpu read B
`;
const LAST = 7;
const MOVE_STEP = 6;

let harness: Harness;
before(async () => {
  harness = await Harness.start();
});
after(async () => {
  await harness?.close();
});

/** Device pixel at the centre of a page's cell, for a panel at zoom 0. */
async function pagePixel(p: PanelPage, regionPages: number[], region: number, page: number): Promise<[number, number]> {
  const { width, height } = await canvasSize(p.page);
  const l = gridLayout(regionPages, width, height, 0);
  const { row, col } = cellPosition(l, region, page >> l.lod);
  const mid = Math.floor(l.cellPx / 2) - (l.cellPx >= 4 ? 1 : 0);
  return [col * l.cellPx + Math.max(0, mid), row * l.cellPx + Math.max(0, mid)];
}

async function colourAt(p: PanelPage, regionPages: number[], region: number, page: number) {
  const [x, y] = await pagePixel(p, regionPages, region, page);
  return pixel(p.page, x, y);
}

async function openScenario(step = -1) {
  const result = simulateText(SCENARIO, { file: 'demo.mplace' });
  const p = await harness.open({ result, source: SCENARIO, step });
  return { p, result, pages: result.regions.map((r) => r.pages) };
}

test('the grid shows each page in its node colour, with page counts in the legend', async () => {
  const { p, pages } = await openScenario();
  await drawnStep(p.page, LAST);
  assert.deepEqual(await colourAt(p, pages, 0, 0), NODE_RGB[CPU0]);
  assert.deepEqual(await colourAt(p, pages, 0, 1), NODE_RGB[CPU1]);
  assert.deepEqual(await colourAt(p, pages, 0, 14), NODE_RGB[CPU0]);
  assert.deepEqual(await colourAt(p, pages, 1, 3), NODE_RGB[CPU1]);
  assert.match(await p.page.locator('#legend [data-node="cpu0"]').innerText(), /cpu0.*: 8 pages/);
  assert.match(await p.page.locator('#legend [data-node="cpu1"]').innerText(), /cpu1.*: 16 pages/);
  assert.match(await p.page.locator('#legend [data-node="gpu0"]').innerText(), /: 0 pages/);
  assert.match(await p.page.locator('#summary').innerText(), /demo\.mplace/);
  assert.deepEqual(await p.violations(), []);
  await p.page.close();
});

test('stepping redraws the picture, updates data-step and tells the host the line', async () => {
  const { p, pages } = await openScenario();
  await drawnStep(p.page, LAST);
  await p.page.click('[data-action="first"]');
  await drawnStep(p.page, 0);
  assert.notDeepEqual(await colourAt(p, pages, 0, 0), NODE_RGB[CPU0]);
  assert.notDeepEqual(await colourAt(p, pages, 0, 0), BACKGROUND_RGB);
  await p.page.click('[data-action="next-migration"]');
  await drawnStep(p.page, MOVE_STEP);
  assert.deepEqual(await colourAt(p, pages, 1, 0), NODE_RGB[CPU1]);
  assert.match(await p.page.locator('#step-line').innerText(), /line 7: move_pages B to cpu1/);
  await p.page.click('[data-action="prev"]');
  await drawnStep(p.page, MOVE_STEP - 1);
  assert.deepEqual(await colourAt(p, pages, 1, 0), NODE_RGB[CPU0]);
  await p.page.click('[data-action="last"]');
  await drawnStep(p.page, LAST);
  await p.page.locator('#step-slider').fill('4');
  await drawnStep(p.page, 4);
  // B is untouched before step 5: drawn as the legend's "unpopulated" swatch
  const swatch = await p.page.locator('#legend [data-cell="unpopulated"] .swatch').getAttribute('data-color');
  assert.deepEqual(await colourAt(p, pages, 1, 0), swatch?.split(',').map(Number));
  assert.notDeepEqual(await colourAt(p, pages, 1, 0), BACKGROUND_RGB);
  const changed = (await p.posted()).filter((m) => m.type === 'stepChanged');
  assert.deepEqual(changed.slice(-3), [
    { type: 'stepChanged', step: MOVE_STEP - 1, line: 6 },
    { type: 'stepChanged', step: LAST, line: 8 },
    { type: 'stepChanged', step: 4, line: 5 },
  ]);
  // a CodeLens click from the host
  await p.push({ type: 'stepTo', step: MOVE_STEP });
  await drawnStep(p.page, MOVE_STEP);
  assert.deepEqual(await p.violations(), []);
  await p.page.close();
});

test("clicking a page lists its history, and clicking an entry reveals that line", async () => {
  const { p, pages, result } = await openScenario();
  await drawnStep(p.page, LAST);
  const [x, y] = await pagePixel(p, pages, 1, 2);
  await p.page.locator('#residency').click({ position: { x, y } });
  const items = p.page.locator('#history li');
  const expected = result.events.historyOf(1, 2);
  await p.page.waitForFunction((n) => document.querySelectorAll('#history li').length === n, expected.length);
  const texts = await items.allInnerTexts();
  assert.ok(expected.length >= 3);
  expected.forEach((e, i) => {
    assert.match(texts[i], new RegExp(`^step ${result.events.step[e]} · `));
    assert.ok(texts[i].includes(` · line ${result.events.line[e]}`), texts[i]);
  });
  const migrate = texts.findIndex((t) => t.includes('migrate cpu0 → cpu1'));
  assert.ok(migrate >= 0, texts.join('\n'));
  assert.ok(texts.some((t) => / · t0 · alloc — → cpu0 · fault · line 6/.test(t)), texts.join('\n'));
  await items.nth(migrate).click();
  assert.deepEqual((await p.posted()).at(-1), { type: 'revealLine', line: 7 });
  assert.match(await p.page.locator('.history h2').innerText(), /B page 2 .* now on cpu1/);
  await p.page.close();
});

test('hostile names and paths render as text and never run', async () => {
  const evil = '<img src=x onerror=alert(1)>';
  const file = `/tmp/"quoted" <b id="bold">x</b> & 'y'.mplace`;
  const result = buildRun([{ name: evil, pages: 4 }], [
    { line: 1 },
    { line: 2, events: [{ kind: EventKind.Alloc, region: 0, page: 0, count: 4, to: GPU0, agent: 128 }] },
  ], file);
  const source = `A = mmap 16K # <script>window.__pwned = 1</script>\n${evil}`;
  const p = await harness.open({ result, source });
  await drawnStep(p.page, 1);
  assert.ok((await p.page.locator('h1').innerText()).includes(file));
  assert.ok((await p.page.locator('#summary').innerText()).includes(file));
  await p.page.click('[data-action="prev"]');
  await drawnStep(p.page, 0);
  assert.ok((await p.page.locator('#step-line').innerText()).includes('<script>window.__pwned = 1</script>'));
  const [x, y] = await pagePixel(p, [4], 0, 1);
  await p.page.locator('#residency').hover({ position: { x, y } });
  await p.page.waitForFunction((t) => document.querySelector('.tooltip')?.textContent?.includes(t), evil);
  await p.page.locator('#residency').click({ position: { x, y } });
  await p.page.waitForFunction(() => document.querySelectorAll('#history li').length === 1);
  assert.ok((await p.page.locator('.history h2').innerText()).includes(evil));
  const state = await p.page.evaluate(() => ({
    pwned: (window as unknown as { __pwned?: unknown }).__pwned,
    imgs: document.querySelectorAll('img').length,
    bold: document.getElementById('bold') !== null,
    scripts: document.querySelectorAll('script').length,
  }));
  assert.deepEqual(state, { pwned: undefined, imgs: 0, bold: false, scripts: 2 });
  assert.deepEqual(await p.violations(), []);
  await p.page.close();
});

test('the toolkit controls load under the strict CSP without a violation', async () => {
  const { p } = await openScenario();
  await drawnStep(p.page, LAST);
  const defined = await p.page.evaluate(() => ['vscode-button', 'vscode-checkbox', 'vscode-progress-ring'].map((t) => customElements.get(t) !== undefined));
  assert.deepEqual(defined, [true, true, true]);
  const csp = await p.page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(csp ?? '', /default-src 'none'; img-src \S+ data:; style-src \S+ 'nonce-\w+'; font-src \S+; script-src 'nonce-\w+'/);
  assert.deepEqual(await p.violations(), []);
  await p.page.close();
});

test('compare runs the file on the ticked machines and tabulates them, the best of each row marked', async () => {
  let bestCells = 0;
  const result = simulateText(SCENARIO, { file: 'demo.mplace' });
  const p = await harness.open({
    result,
    source: SCENARIO,
    presets: ['x86-pcie', 'gh200'],
    compare: (machines) => {
      const rows = compareRows(machines.map((machine) => ({ label: machine, result: simulateText(SCENARIO, { machine }) })));
      bestCells = rows.reduce((n, r) => n + r.best.length, 0);
      return { machines, rows, failures: [] };
    },
  });
  await drawnStep(p.page, LAST);
  await p.page.locator('vscode-checkbox[data-value="x86-pcie"]').click();
  await p.page.locator('vscode-checkbox[data-value="gh200"]').click();
  await p.page.click('[data-action="compare"]');
  await p.page.waitForFunction(() => document.querySelectorAll('#compare tr').length > 3);
  const head = await p.page.locator('#compare tr').first().innerText();
  assert.match(head, /x86-pcie\s+gh200/);
  assert.match(await p.page.locator('#compare').innerText(), /CPU faults\s+24\s+24/);
  assert.ok(bestCells > 0, 'the machines differ somewhere');
  assert.equal(await p.page.locator('#compare td.best').count(), bestCells);
  assert.deepEqual((await p.posted()).filter((m) => m.type === 'request' && m.request.type === 'compare').map((m) => m.type === 'request' && m.request), [
    { type: 'compare', machines: ['x86-pcie', 'gh200'] },
  ]);
  await p.page.close();
});

test('a 1,000,000-page space is drawn aggregated, in node colours', async () => {
  const regions = [
    { name: 'big', pages: 600_000 },
    { name: 'other', pages: 400_000 },
  ];
  const result = buildRun(regions, [
    { line: 1 },
    {
      line: 2,
      events: [
        { kind: EventKind.Alloc, region: 0, page: 0, count: 300_000, to: CPU0 },
        { kind: EventKind.Alloc, region: 0, page: 300_000, count: 300_000, to: GPU0, agent: 128 },
        { kind: EventKind.Alloc, region: 1, page: 0, count: 400_000, to: CPU1 },
      ],
    },
  ]);
  const p = await harness.open({ result });
  await drawnStep(p.page, 1);
  const pages = regions.map((r) => r.pages);
  assert.deepEqual(await colourAt(p, pages, 0, 1000), NODE_RGB[CPU0]);
  assert.deepEqual(await colourAt(p, pages, 0, 450_000), NODE_RGB[GPU0]);
  assert.deepEqual(await colourAt(p, pages, 1, 200_000), NODE_RGB[CPU1]);
  const lods = (await p.posted()).flatMap((m) => (m.type === 'request' && m.request.type === 'requestResidency' ? [m.request.lod] : []));
  assert.ok(lods.length > 0 && lods.every((l) => l >= 1), `lods ${lods}`);
  assert.match(await p.page.locator('#legend [data-node="gpu0"]').innerText(), /300,000 pages/);
  await p.page.close();
});

test('a theme change re-reads the colours and redraws', async () => {
  const { p, pages } = await openScenario();
  await drawnStep(p.page, LAST);
  assert.deepEqual(await colourAt(p, pages, 0, 0), NODE_RGB[CPU0]);
  await p.page.evaluate(() => document.documentElement.style.setProperty('--vscode-charts-blue', '#00ff00'));
  await p.page.waitForFunction(() => {
    const swatch = document.querySelector('#legend [data-node="cpu0"] .swatch') as HTMLElement | null;
    return swatch?.dataset.color === '0,255,0';
  });
  assert.deepEqual(await colourAt(p, pages, 0, 0), [0, 255, 0]);
  await p.page.close();
});

test('play advances step by step until paused; zoom changes the level of detail', async () => {
  const { p } = await openScenario();
  await drawnStep(p.page, LAST);
  await p.page.click('[data-action="first"]');
  await drawnStep(p.page, 0);
  await p.page.click('[data-action="play"]');
  await drawnStep(p.page, 3);
  await p.page.click('[data-action="play"]');
  assert.equal(await p.page.locator('[data-action="play"]').innerText(), 'Play');
  const moves = (await p.posted()).filter((m) => m.type === 'stepChanged').map((m) => m.type === 'stepChanged' && m.step);
  const played = moves.slice(moves.lastIndexOf(0));
  assert.deepEqual(played, Array.from({ length: played.length }, (_, i) => i));
  assert.ok(played.length >= 4 && played.length <= LAST + 1, `played ${played}`);
  const big = buildRun([{ name: 'big', pages: 400_000 }], [{ line: 1, events: [{ kind: EventKind.Alloc, region: 0, page: 0, count: 400_000, to: CPU1 }] }]);
  const q = await harness.open({ result: big });
  await drawnStep(q.page, 0);
  const lods = async () => (await q.posted()).flatMap((m) => (m.type === 'request' && m.request.type === 'requestResidency' ? [m.request.lod] : []));
  const asked = await lods();
  await q.page.click('[data-action="zoom-in"]');
  await q.page.waitForFunction(
    (n) => (window as unknown as { __posted: { type: string; request?: { type: string } }[] }).__posted.filter((m) => m.request?.type === 'requestResidency').length > n,
    asked.length,
  );
  const before = asked.at(-1)!;
  assert.equal((await lods()).at(-1), before - 1);
  await p.page.close();
  await q.page.close();
});
