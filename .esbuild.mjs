// Builds every bundle with esbuild; `tsc --noEmit` type-checks separately.
// node .esbuild.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20' };

/** Every `*.test.ts` under test/, bundled one file each so `node --test` can run them. */
function testEntries(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return testEntries(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const builds = [
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...node, entryPoints: ['src/worker/simWorker.ts'], outfile: 'dist/simWorker.js' },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, define: { VERSION: JSON.stringify(version) } },
  { ...node, entryPoints: ['test/bench/bench.ts'], outfile: 'dist/bench.js' },
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: ['webview/main.ts'],
    outfile: 'dist/webview.js',
  },
  {
    ...node,
    entryPoints: testEntries('test'),
    outdir: 'dist/test',
    outbase: 'test',
    external: ['playwright-core', 'vscode'],
  },
].filter((b) => b.entryPoints.length > 0 && b.entryPoints.every((e) => existsSync(e)));

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
