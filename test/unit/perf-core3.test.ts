// The CPU pass reads a chunk's node plane four pages a word (pages.ts Chunk.node32):
// sameNodeEnd must stop exactly where a byte-by-byte scan stops, at any alignment,
// and the access loop (access.ts touchRange) must add the same times in the same order.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NO_NODE, ZERO_PAGE } from '../../src/engine/events';
import { costModelFor } from '../../src/engine/machine/costs';
import { buildMachine } from '../../src/engine/machine/machine';
import { Chunk, CHUNK_PAGES, sameNodeEnd } from '../../src/engine/sim/pages';
import { parse } from '../../src/engine/syntax/parser';
import { errors, run } from './sim-helpers';

/** The general path: one page at a time. */
function byteScanEnd(c: Chunk, i: number, end: number, node: number): number {
  while (i < end && c.node[i] === node) i++;
  return i;
}

/** A chunk of runs of one node, their lengths 1..9 pages so that they cross word edges. */
function chunkOfRuns(nodes: readonly number[]): Chunk {
  const c = new Chunk();
  for (let i = 0, k = 0; i < CHUNK_PAGES; k++) {
    const n = 1 + ((k * 7) % 9);
    c.node.fill(nodes[k % nodes.length], i, Math.min(CHUNK_PAGES, i + n));
    i += n;
  }
  return c;
}

test('sameNodeEnd stops where a byte-by-byte scan stops, from every start to every end', () => {
  // 255 (NO_NODE) makes the all-ones word: it must compare equal as an unsigned word
  const c = chunkOfRuns([3, 3, 0, NO_NODE, ZERO_PAGE, 1]);
  for (let i = 0; i < CHUNK_PAGES; i++) {
    for (const end of [i, i + 1, i + 3, i + 4, i + 5, i + 17, CHUNK_PAGES]) {
      if (end > CHUNK_PAGES) continue;
      const node = c.node[i];
      assert.equal(sameNodeEnd(c, i, end, node), byteScanEnd(c, i, end, node), `start ${i}, end ${end}`);
    }
  }
});

test('sameNodeEnd runs over whole words and stops at the one page that differs', () => {
  const c = new Chunk();
  c.node.fill(7);
  c.node[301] = 8;
  assert.equal(sameNodeEnd(c, 1, CHUNK_PAGES, 7), 301);
  assert.equal(sameNodeEnd(c, 302, CHUNK_PAGES, 7), CHUNK_PAGES);
  assert.equal(sameNodeEnd(new Chunk(), 0, CHUNK_PAGES, NO_NODE), CHUNK_PAGES);
  assert.equal(sameNodeEnd(c, 0, CHUNK_PAGES, 8), 0);
});

/**
 * A CPU read pass over pages already placed, in runs of one node of every length and
 * alignment: the access loop's word fast path must add each page's access time in
 * page order, as a page-by-page loop does, and count each remote page once.
 */
test('a CPU pass over placed pages adds their access times page by page, whole words or not', () => {
  const machineLine = 'machine gh200';
  const lengths = [1, 2, 3, 5, 7, 9, 4, 8, 13, 16, 6];
  const lines = [machineLine, 'A = mmap 8M'];
  const nodeNames = ['cpu0', 'gpu0'];
  const placed: string[] = [];
  for (let page = 0, k = 0; page < 2048; k++) {
    const n = Math.min(lengths[k % lengths.length], 2048 - page);
    lines.push(`mbind A[${page * 4}K:+${n * 4}K] bind ${nodeNames[k % 2]}`);
    for (let i = 0; i < n; i++) placed.push(nodeNames[k % 2]);
    page += n;
  }
  lines.push('cpu write A');
  const before = run(lines.join('\n'));
  const after = run([...lines, 'cpu read A'].join('\n'));
  assert.deepEqual(errors(after), []);

  const { machine } = buildMachine(parse(machineLine).statements);
  const costs = costModelFor(machine);
  const nodeIndex = (name: string) => machine.nodes.findIndex((x) => x.name === name);
  const cpu0 = nodeIndex('cpu0');
  let time = 0;
  for (const name of placed) time += costs.accessNs(cpu0, nodeIndex(name), machine.pageSize);
  const steps = after.steps;
  assert.equal(steps.time[steps.length - 1], steps.time[steps.length - 2] + time);
  const remotePages = placed.filter((name) => name === 'gpu0').length;
  assert.ok(remotePages > 0 && remotePages < placed.length);
  assert.equal(after.metrics.remoteAccesses - before.metrics.remoteAccesses, remotePages);
});
