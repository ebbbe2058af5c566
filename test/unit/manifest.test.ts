// The package manifest against the UI contract, and the light-activation rule: the
// extension host's bundle must not reach the simulator (only the worker runs it).

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(__dirname, '../../..');
const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

test('commands have the contract titles, and the internal step command is hidden from the palette', () => {
  const titles = Object.fromEntries(manifest.contributes.commands.map((c: { command: string; title: string; category: string }) => [c.command, `${c.category}: ${c.title}`]));
  assert.equal(titles['memplace.openPanel'], 'Memplace: Open Placement Explorer');
  assert.equal(titles['memplace.simulate'], 'Memplace: Simulate Current File');
  assert.equal(titles['memplace.openExample'], 'Memplace: Open Example…');
  assert.equal(titles['memplace.compare'], 'Memplace: Compare Machines…');
  assert.ok(manifest.contributes.menus.commandPalette.some((m: { command: string; when: string }) => m.command === 'memplace.stepTo' && m.when === 'false'));
});

test('activation is implicit except for reviving the panel and sniffing plain-text logs for traces', () => {
  assert.deepEqual(manifest.activationEvents, ['onWebviewPanel:memplace.explorer', 'onLanguage:plaintext', 'onLanguage:log']);
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, true);
});

test('the settings exist with their defaults', () => {
  const p = manifest.contributes.configuration.properties;
  assert.deepEqual(p['memplace.defaultMachine'].enum, ['', 'x86-pcie', 'power9-nvlink', 'power9-hmm', 'gh200']);
  assert.equal(p['memplace.maxInputBytes'].default, 50 * 1024 * 1024);
  assert.equal(typeof p['memplace.debounceMs'].default, 'number');
  assert.equal(p['memplace.codeLens.enabled'].default, true);
});

test('every walkthrough step has its media page', () => {
  for (const step of manifest.contributes.walkthroughs[0].steps) assert.ok(existsSync(join(ROOT, step.media.markdown)), step.media.markdown);
});

/** Relative imports of a TypeScript file (type-only imports erase, so they are skipped). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^import\s+(?!type\s)[^'"]*['"](\.[^'"]+)['"]/gm)].map((m) => {
    const base = resolve(dirname(file), m[1]);
    return existsSync(`${base}.ts`) ? `${base}.ts` : join(base, 'index.ts');
  });
}

test('the extension host never imports the simulator or the timeline', () => {
  const seen = new Set<string>();
  const queue = [join(ROOT, 'src/extension.ts')];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...importsOf(file));
  }
  const reached = [...seen].map((f) => f.slice(ROOT.length + 1));
  assert.ok(reached.includes('src/worker/documentRuns.ts'));
  for (const f of reached) assert.doesNotMatch(f, /^src\/engine\/(simulate|sim\/|timeline\/|syntax\/parse)/, f);
});
