// The webview harness: serves the real panel HTML (from src/protocol/html.ts) and the
// built bundle from a local http server, injects a fake VS Code API with a nonce'd
// script, and plays the extension host in Node: it answers the webview's requests from
// a real Timeline, as the simulation worker does. Chromium is Debian's, via playwright-core.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { answer } from '../../src/engine/timeline/answer';
import { Timeline } from '../../src/engine/timeline/timeline';
import type { SimResult } from '../../src/engine/result';
import { createNonce, panelHtml } from '../../src/protocol/html';
import type { CompareTable, FromWebview, ToWebview, WebviewRequest } from '../../src/protocol/messages';
import { respond } from '../../src/protocol/rpc';
import { runView } from '../../src/protocol/runView';
import { CHROMIUM, CHROMIUM_FLAGS } from '../chromium';

const ROOT = join(__dirname, '..', '..', '..');

/** Theme colours the harness sets, so tests know what each node must look like. */
export const THEME: Record<string, string> = {
  '--vscode-editor-background': '#1e1e1e',
  '--vscode-foreground': '#cccccc',
  '--vscode-focusBorder': '#007fd4',
  '--vscode-charts-blue': '#1f77b4',
  '--vscode-charts-orange': '#ff7f0e',
  '--vscode-charts-green': '#2ca02c',
  '--vscode-charts-purple': '#9467bd',
  '--vscode-charts-red': '#d62728',
  '--vscode-charts-yellow': '#bcbd22',
};
export const NODE_RGB = ['#1f77b4', '#ff7f0e', '#2ca02c'].map(hexRgb);
export const BACKGROUND_RGB = hexRgb('#1e1e1e');

export function hexRgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

/** Runs in the page before the bundle: the fake acquireVsCodeApi, a CSP probe, alert traps. */
function fakeApiScript(): string {
  const theme = JSON.stringify(THEME);
  return `(() => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
  for (const [k, v] of Object.entries(${theme})) document.documentElement.style.setProperty(k, v);
  window.alert = () => { window.__pwned = true; };
  window.__posted = [];
  let state;
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => { window.__posted.push(m); window.__toHost(JSON.stringify(m)); },
    getState: () => state,
    setState: (s) => { state = s; },
  });
  const revive = (v) => {
    if (v && typeof v === 'object') {
      if (typeof v.__ab === 'string') return Uint8Array.from(atob(v.__ab), (c) => c.charCodeAt(0)).buffer;
      for (const k of Object.keys(v)) v[k] = revive(v[k]);
    }
    return v;
  };
  window.__fromHost = (json) => window.dispatchEvent(new MessageEvent('message', { data: revive(JSON.parse(json)) }));
})();`;
}

/** JSON with ArrayBuffers as base64 (Playwright's argument passing would drop them). */
function encode(message: ToWebview): string {
  return JSON.stringify(message, (_k, v: unknown) => (v instanceof ArrayBuffer ? { __ab: Buffer.from(v).toString('base64') } : v));
}

export interface HostOptions {
  result: SimResult;
  source?: string;
  presets?: string[];
  /** the step `init` asks for (-1: the last) */
  step?: number;
  compare?(machines: string[]): CompareTable;
}

export interface PanelPage {
  page: Page;
  /** every message the webview posted, oldest first */
  posted(): Promise<FromWebview[]>;
  push(message: ToWebview): Promise<void>;
  violations(): Promise<string[]>;
}

export class Harness {
  private constructor(
    private readonly server: Server,
    private readonly context: BrowserContext,
    private readonly profile: string,
    readonly origin: string,
  ) {}

  static async start(): Promise<Harness> {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const files: Record<string, [string, string]> = {
        '/dist/webview.js': ['dist/webview.js', 'text/javascript'],
        '/media/webview.css': ['media/webview.css', 'text/css'],
      };
      if (url.pathname === '/panel') {
        const nonce = createNonce();
        const origin = `http://${req.headers.host}`;
        const html = panelHtml({ cspSource: origin, nonce, scriptUri: `${origin}/dist/webview.js`, styleUri: `${origin}/media/webview.css`, title: 'Placement' });
        // The fake API must exist before the bundle runs: a nonce'd script ahead of it.
        const withFake = html.replace('<script nonce=', `<script nonce="${nonce}">${fakeApiScript()}</script>\n<script nonce=`);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(withFake);
      } else if (files[url.pathname] && existsSync(join(ROOT, files[url.pathname][0]))) {
        const [path, type] = files[url.pathname];
        res.writeHead(200, { 'content-type': type }).end(readFileSync(join(ROOT, path)));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const profile = mkdtempSync(join(tmpdir(), 'memplace-webview-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1000, height: 900 },
      deviceScaleFactor: 1,
      args: CHROMIUM_FLAGS,
    });
    return new Harness(server, context, profile, origin);
  }

  /** Opens a panel whose host answers from `options.result`. */
  async open(options: HostOptions): Promise<PanelPage> {
    const page = await this.context.newPage();
    const timeline = new Timeline(options.result);
    const run = runView(options.result, options.source ?? '');
    const push = (m: ToWebview) => page.evaluate((json) => (window as unknown as { __fromHost(j: string): void }).__fromHost(json), encode(m));
    const answerRequest = (request: WebviewRequest) => {
      if (request.type !== 'compare') return answer(timeline, request);
      if (!options.compare) throw new Error('compare is not available');
      return options.compare(request.machines);
    };
    await page.exposeFunction('__toHost', async (json: string) => {
      const m = JSON.parse(json) as FromWebview;
      if (m.type === 'ready') await push({ type: 'init', run, presets: options.presets ?? ['x86-pcie', 'gh200'], step: options.step ?? -1 });
      else if (m.type === 'request') await respond(m, answerRequest, (r) => void push(r).catch(() => undefined));
    });
    await page.goto(`${this.origin}/panel`);
    return {
      page,
      posted: () => page.evaluate(() => (window as unknown as { __posted: FromWebview[] }).__posted),
      push,
      violations: () => page.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
    };
  }

  async close(): Promise<void> {
    await this.context.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.profile, { recursive: true, force: true });
  }
}

/** Waits until the panel has drawn `step`. */
export async function drawnStep(page: Page, step: number): Promise<void> {
  await page.waitForFunction((s) => document.body.dataset.ready === 'true' && document.body.dataset.step === String(s), step);
}

/** The colour at a device pixel of the residency canvas. */
export async function pixel(page: Page, x: number, y: number): Promise<[number, number, number]> {
  return page.evaluate(
    ([px, py]) => {
      const c = document.getElementById('residency') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(px, py, 1, 1).data;
      return [d[0], d[1], d[2]] as [number, number, number];
    },
    [x, y] as const,
  );
}

export async function canvasSize(page: Page): Promise<{ width: number; height: number }> {
  return page.evaluate(() => {
    const c = document.getElementById('residency') as HTMLCanvasElement;
    return { width: c.width, height: c.height };
  });
}
