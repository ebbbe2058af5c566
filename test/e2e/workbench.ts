// What a user does in the VS Code workbench, as Playwright steps that wait on what the
// page shows (Playwright's auto-wait, waitForFunction), never on fixed delays.

import { join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { ARTIFACTS } from './codeServer';

export class Workbench {
  constructor(readonly page: Page) {}

  /** Quick Open (Ctrl+P): type the file name, pick it, wait for its editor. */
  async openFile(name: string): Promise<Locator> {
    await this.page.keyboard.press('Control+P');
    await this.quickInput().waitFor();
    await this.page.keyboard.type(name);
    await this.quickPick(name).click();
    const editor = this.editor(name);
    await editor.locator('.view-line').first().waitFor();
    return editor;
  }

  /** The command palette (F1): type the command's title, pick it. */
  async runCommand(title: string): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.quickInput().waitFor();
    await this.page.keyboard.type(title);
    await this.quickPick(title).click();
  }

  /** The text editor showing the workspace file `name`. */
  editor(name: string): Locator {
    return this.page.locator(`.editor-instance .monaco-editor[data-uri$="/${name}"]`);
  }

  /** The rendered line of `editor` whose text starts with `start`. */
  line(editor: Locator, start: string): Locator {
    // The editor renders spaces as no-break spaces, which `\s` matches and ' ' does not.
    const pattern = start.trim().split(/\s+/).map(escapeRegExp).join('\\s+');
    return editor.locator('.view-line').filter({ hasText: new RegExp(`^\\s*${pattern}`) });
  }

  /** Types `text` over the whole of `line` (Home, Shift+End: the line's text, not its indentation). */
  async replaceLine(line: Locator, text: string): Promise<void> {
    await line.click();
    await this.page.keyboard.press('End');
    await this.page.keyboard.press('Shift+Home');
    await this.page.keyboard.type(text);
  }

  /** The text of a rendered line, with the editor's no-break spaces as plain spaces. */
  async lineText(line: Locator): Promise<string> {
    return plainSpaces((await line.textContent()) ?? '');
  }

  /** Waits for a CodeLens whose text matches `pattern`; the error lists the lenses shown. */
  async waitForCodeLens(pattern: RegExp): Promise<void> {
    const lenses = this.page.locator('.codelens-decoration');
    try {
      await lenses.filter({ hasText: pattern }).first().waitFor();
    } catch (e) {
      throw new Error(`no CodeLens matches ${pattern}; shown: ${JSON.stringify(await lenses.allTextContents())}`, { cause: e });
    }
  }

  /** The text of the CodeLens just above `line` (lenses live in their own zone, not in the line). */
  async codeLensAbove(line: Locator): Promise<string> {
    const lineBox = await line.boundingBox();
    if (!lineBox) throw new Error('the line is not on screen');
    const lenses = this.page.locator('.codelens-decoration');
    let best: { text: string; gap: number } | undefined;
    for (const lens of await lenses.all()) {
      const box = await lens.boundingBox();
      const gap = box ? lineBox.y - (box.y + box.height) : -1;
      if (box && gap >= -1 && (!best || gap < best.gap)) best = { text: (await lens.textContent()) ?? '', gap };
    }
    if (!best) throw new Error('no CodeLens above the line');
    return best.text;
  }

  /** Hovers the mouse over the start of `line` and returns the hover widget that opens. */
  async hover(line: Locator): Promise<Locator> {
    const box = await line.boundingBox();
    if (!box) throw new Error('the line is not on screen');
    await line.hover({ position: { x: 8, y: box.height / 2 } });
    const widget = this.page.locator('.monaco-hover:not(.hidden)').filter({ hasText: /\S/ });
    await widget.first().waitFor();
    return widget.first();
  }

  /**
   * Opens the Problems panel (Ctrl+Shift+M) and waits for an entry mentioning `text`
   * (an entry reads message, source, code, position); the error lists the entries shown.
   */
  async waitForProblem(text: string): Promise<Locator> {
    await this.page.keyboard.press('Control+Shift+M');
    const panel = this.page.locator('.markers-panel');
    await panel.waitFor();
    const rows = panel.locator('.monaco-list-row');
    const row = rows.filter({ hasText: text }).first();
    try {
      await row.waitFor();
    } catch (e) {
      const shown = await panel.innerText();
      throw new Error(`no problem mentions "${text}"; the panel shows: ${JSON.stringify(shown)}`, { cause: e });
    }
    return row;
  }

  /** The document of the (single) webview panel: two iframes deep. */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  }

  /** Waits until the editor shows `text` as a whole-line decoration set by an extension. */
  async waitForHighlight(text: string): Promise<void> {
    try {
      await this.page.waitForFunction(highlightedLines, text);
    } catch (e) {
      const shown = await this.page.evaluate(highlightedLines, null);
      throw new Error(`line "${text}" not highlighted; highlighted: ${JSON.stringify(shown)}`, { cause: e });
    }
  }

  async screenshot(name: string): Promise<void> {
    await this.page.screenshot({ path: join(ARTIFACTS, `${name.replace(/[^\w-]+/g, '-')}.png`) });
  }

  private quickInput(): Locator {
    return this.page.locator('.quick-input-widget .quick-input-box input');
  }

  private quickPick(label: string): Locator {
    return this.page.locator('.quick-input-list .monaco-list-row').filter({ hasText: label }).first();
  }
}

/**
 * Runs in the page: the texts of editor lines that carry an extension's whole-line
 * decoration (class `ced-…` in the line's overlay, at the same `top` as the line).
 * With `expected`, returns false until that line is among them (for waitForFunction).
 */
function highlightedLines(expected: string | null): string[] | false {
  const lines: string[] = [];
  for (const editor of Array.from(document.querySelectorAll('.monaco-editor'))) {
    const tops = new Set<string>();
    for (const overlay of Array.from(editor.querySelectorAll<HTMLElement>('.view-overlays > div'))) {
      const decorated = Array.from(overlay.children).some((c) => Array.from(c.classList).some((k) => k.startsWith('ced-')));
      if (decorated) tops.add(overlay.style.top);
    }
    for (const line of Array.from(editor.querySelectorAll<HTMLElement>('.view-lines > .view-line'))) {
      // Inline, not plainSpaces(): this function is serialised into the page on its own.
      if (tops.has(line.style.top)) lines.push((line.textContent ?? '').replace(/\u00a0/g, ' ').trim());
    }
  }
  return expected === null || lines.includes(expected) ? lines : false;
}

function plainSpaces(text: string): string {
  return text.replace(/\u00a0/g, ' ').trim();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
