// The extension in a real VS Code (code-server), seen as a user sees it: the CodeLens,
// hover and Problems entry of an mbind that wastes device memory, the status bar, the
// Placement Explorer drawing and stepping through the run, an edit simulated again, and
// the machine comparison. One workbench serves every test; they run in order, each from
// where the previous one left it (the explorer tests need the panel the first one opens).

import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { FrameLocator, Locator } from 'playwright-core';
import { startSession, type Session } from './codeServer';
import { Workbench } from './workbench';

// examples/wasted-mbind.mplace: 256 MiB bound to the GPU's CDM node (machine
// power9-nvlink), written by the CPU only, so no device ever uses that memory.
const FILE = 'wasted-mbind.mplace';
const REGION_PAGES = 65536; // 256 MiB of 4 KiB pages
const TEST_TIMEOUT_MS = 90_000;
const STEP_TIMEOUT_MS = 30_000;
const SUITE_TIMEOUT_MS = 10 * 60_000;

describe('memplace in VS Code (code-server)', { timeout: SUITE_TIMEOUT_MS }, () => {
  let session: Session | undefined;
  let bench: Workbench;
  let editor: Locator;
  /** The `mbind …` line of the scenario, as the editor renders it. */
  let mbind: Locator;

  before(async () => {
    session = await startSession();
    session.page.setDefaultTimeout(STEP_TIMEOUT_MS);
    bench = new Workbench(session.page);
    editor = await bench.openFile(FILE);
    mbind = bench.line(editor, 'mbind');
  });

  after(async () => {
    await session?.stop();
  });

  afterEach(async (t) => {
    await bench?.screenshot(t.name);
  });

  test('the mbind line gets a CodeLens with its outcome and the wasted memory', { timeout: TEST_TIMEOUT_MS }, async () => {
    // The outcome first, then the waste: how much, and that no device ever used it.
    const expected = /^ok · (?=.*\b256 MiB\b)(?=.*never accessed by a device)/;
    await bench.waitForCodeLens(expected);
    assert.match(await bench.codeLensAbove(mbind), expected);
  });

  test('hovering the mbind explains MPOL_BIND', { timeout: TEST_TIMEOUT_MS }, async () => {
    const hover = await bench.hover(mbind);
    assert.match((await hover.textContent()) ?? '', /MPOL_BIND/);
  });

  test('the Problems panel reports the wasted device memory', { timeout: TEST_TIMEOUT_MS }, async () => {
    const row = await bench.waitForProblem('wasted-device-memory');
    assert.match((await row.textContent()) ?? '', /memplace/, 'the source is memplace');
  });

  test('the status bar sums up the run', { timeout: TEST_TIMEOUT_MS }, async () => {
    const item = bench.page.locator('.statusbar-item').filter({ has: bench.page.locator('.codicon-pulse') }).filter({ hasText: /memplace: .*faults/ });
    assert.match(plainNumbers((await item.textContent()) ?? ''), new RegExp(`memplace: ${REGION_PAGES} faults .*migrations`));
  });

  test('the Placement Explorer draws the residency and counts the pages on gpu0', { timeout: TEST_TIMEOUT_MS }, async () => {
    await editor.click();
    await bench.runCommand('Memplace: Open Placement Explorer');
    await bench.page.locator('.tab').filter({ hasText: `Placement: ${FILE}` }).waitFor();
    const view = bench.webview();
    await view.locator('body[data-ready="true"]').waitFor();
    await view.locator('canvas#residency').waitFor();

    const last = Number(await view.locator('#step-slider').getAttribute('max'));
    await goTo(view, 'last', last);
    const gpu0 = view.locator('#legend [data-node="gpu0"]');
    assert.match(plainNumbers((await gpu0.textContent()) ?? ''), new RegExp(`\\b${REGION_PAGES}\\b`));
  });

  test('stepping moves to the next statement and highlights its line in the editor', { timeout: TEST_TIMEOUT_MS }, async () => {
    const view = bench.webview();
    await goTo(view, 'first', 0);
    await goTo(view, 'next', 1);
    await bench.waitForHighlight(await stepStatement(view));
  });

  test('clicking the mbind CodeLens shows its step in the explorer', { timeout: TEST_TIMEOUT_MS }, async () => {
    const statement = await bench.lineText(mbind);
    await bench.page.locator('.codelens-decoration a').filter({ hasText: /^ok\b/ }).first().click();
    const view = bench.webview();
    await view.locator('#step-line').filter({ hasText: statement }).waitFor();
    await bench.waitForHighlight(statement);
  });

  test('editing the scenario simulates it again: the CodeLens and the explorer follow', { timeout: TEST_TIMEOUT_MS }, async () => {
    await bench.replaceLine(bench.line(editor, 'A = mmap'), 'A = mmap 128M');
    await bench.waitForCodeLens(/^ok · (?=.*\b128 MiB\b)(?=.*never accessed by a device)/);
    const view = bench.webview();
    await goTo(view, 'last', Number(await view.locator('#step-slider').getAttribute('max')));
    await view.locator('#legend [data-node="gpu0"]').filter({ hasText: /\b32,?768\b/ }).waitFor();
  });

  test('Compare Machines… reports the scenario on every preset', { timeout: TEST_TIMEOUT_MS }, async () => {
    await editor.click();
    await bench.runCommand('Memplace: Compare Machines…');
    // The machines come as a multiple choice ("4 Selected"), all ticked: accept it.
    await bench.page.locator('.quick-input-widget .quick-input-count').filter({ hasText: /\d/ }).waitFor();
    await bench.page.keyboard.press('Enter');
    const report = bench.page.locator('.editor-instance .monaco-editor[data-uri^="untitled:"] .view-lines');
    for (const machine of ['x86-pcie', 'power9-nvlink', 'power9-hmm', 'gh200']) await report.filter({ hasText: machine }).waitFor();
  });
});

/** Clicks a stepper button and waits until the webview has drawn `step`. */
async function goTo(view: FrameLocator, action: string, step: number): Promise<void> {
  await view.locator(`[data-action="${action}"]`).click();
  await view.locator(`body[data-step="${step}"]`).waitFor();
}

/** The statement the explorer shows for its step (`#step-line` reads `line N: <statement>`). */
async function stepStatement(view: FrameLocator): Promise<string> {
  const shown = (await view.locator('#step-line').textContent()) ?? '';
  const statement = /^line \d+: (.+)$/.exec(shown.trim());
  assert.ok(statement, `#step-line names a statement: "${shown}"`);
  return statement[1];
}

/** Drops thousands separators, so counts compare whatever the locale formatting. */
function plainNumbers(text: string): string {
  return text.replace(/(\d)[,\u00a0\u202f](?=\d{3})/g, '$1');
}
