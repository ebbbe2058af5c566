// A throw-away VS Code for the end-to-end tests: code-server (installed by
// install-code-server.sh) with fresh user data, a fresh extensions folder holding only
// the packaged extension, and a copy of the examples as its workspace; driven by
// Debian's chromium through playwright-core. Recipe: /work/shared/recipes/vscode-e2e.md.

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from '../chromium';

const ROOT = join(__dirname, '..', '..', '..');
export const ARTIFACTS = join(ROOT, 'test-results', 'e2e');
const CODE_SERVER = join(ROOT, '.vscode-test', 'code-server', 'node_modules', '.bin', 'code-server');
const VSIX = join(ROOT, 'dist', 'memplace.vsix');
const STARTUP_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * Settings of the fresh profile: without them the Welcome page takes the editor area
 * (it is a webview too, which confuses the frame locators) and the trust dialog blocks.
 */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'workbench.tips.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'telemetry.telemetryLevel': 'off',
};

export interface Session {
  page: Page;
  stop(): Promise<void>;
}

/** Starts code-server with the packaged extension and opens its workbench in chromium. */
export async function startSession(): Promise<Session> {
  for (const [path, fix] of [[CODE_SERVER, 'bash test/e2e/install-code-server.sh'], [VSIX, 'npm run package']]) {
    if (!existsSync(path)) throw new Error(`${path} is missing: run \`${fix}\` first`);
  }
  warnIfStale(VSIX, [join(ROOT, 'dist', 'extension.js'), join(ROOT, 'dist', 'webview.js')]);
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const dirs = makeDirs();
  const log = createWriteStream(join(ARTIFACTS, 'browser.log'));
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const stop = async () => {
    await browser?.close();
    log.end();
    await server?.stop();
    // VS Code's own logs (the extension host's among them) say why an extension failed.
    const logs = join(dirs.userData, 'logs');
    if (existsSync(logs)) cpSync(logs, join(ARTIFACTS, 'vscode-logs'), { recursive: true });
    rmSync(dirs.root, { recursive: true, force: true });
  };
  try {
    server = await CodeServer.start(dirs);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.on('pageerror', (e) => log.write(`pageerror: ${e.message}\n`));
    page.on('console', (m) => m.type() === 'error' && log.write(`console: ${m.text()}\n`));
    await page.goto(`http://127.0.0.1:${server.port}/?folder=${encodeURIComponent(dirs.workspace)}`);
    await page.locator('.monaco-workbench').waitFor();
    return { page, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The tests install the .vsix, not dist/: say so when the bundles changed after packaging. */
function warnIfStale(vsix: string, bundles: string[]): void {
  const packaged = statSync(vsix).mtimeMs;
  const newer = bundles.filter((b) => existsSync(b) && statSync(b).mtimeMs > packaged);
  if (newer.length > 0) process.emitWarning(`${newer.join(', ')} changed after ${vsix} was packaged; \`npm run test:e2e\` packages it again`);
}

interface Dirs {
  root: string;
  userData: string;
  extensions: string;
  workspace: string;
  config: string;
}

function makeDirs(): Dirs {
  const root = mkdtempSync(join(tmpdir(), 'memplace-e2e-'));
  const dirs = {
    root,
    userData: join(root, 'user-data'),
    extensions: join(root, 'extensions'),
    workspace: join(root, 'workspace'),
    // Without --config, code-server writes one with password auth into the home folder.
    config: join(root, 'config.yaml'),
  };
  mkdirSync(join(dirs.userData, 'User'), { recursive: true });
  writeFileSync(join(dirs.userData, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  writeFileSync(dirs.config, 'auth: none\ncert: false\n');
  mkdirSync(dirs.extensions);
  cpSync(join(ROOT, 'examples'), dirs.workspace, { recursive: true });
  return dirs;
}

/** A code-server process, in its own process group so that stopping it ends its children. */
class CodeServer {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly exited: Promise<void>,
  ) {}

  static async start(dirs: Dirs): Promise<CodeServer> {
    const common = ['--config', dirs.config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
    await promisify(execFile)(CODE_SERVER, [...common, '--install-extension', VSIX], { timeout: STARTUP_TIMEOUT_MS });
    const port = await freePort();
    const args = [...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', dirs.workspace];
    const child = spawn(CODE_SERVER, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const server = new CodeServer(port, child, exited);
    process.once('exit', server.killOnExit);
    const log = createWriteStream(join(ARTIFACTS, 'code-server.log'));
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    try {
      await server.listening();
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  /** Resolves once code-server says it serves HTTP; rejects if it exits or takes too long. */
  private listening(): Promise<void> {
    return new Promise((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => fail(new Error(`code-server did not start within ${STARTUP_TIMEOUT_MS} ms:\n${output}`)), STARTUP_TIMEOUT_MS);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('HTTP server listening')) done(resolve);
      };
      const fail = (e: Error) => done(() => reject(e));
      const onExit = (code: number | null) => fail(new Error(`code-server exited (${code}) before listening:\n${output}`));
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.child.stdout?.off('data', onData);
        this.child.off('exit', onExit);
        settle();
      };
      this.child.stdout?.on('data', onData);
      this.child.once('exit', onExit);
    });
  }

  /** If the test process ends without stop() (a crash, a cancelled run), take the server along. */
  private readonly killOnExit = () => this.child.pid !== undefined && signalGroup(this.child.pid, 'SIGKILL');

  async stop(): Promise<void> {
    const pid = this.child.pid;
    if (pid === undefined) return;
    process.off('exit', this.killOnExit);
    // The whole group, even when the leader is gone: its extension host may not be.
    signalGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Signals the process group we started (its id is the leader's pid); gone already is fine. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
