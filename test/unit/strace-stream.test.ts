// Streaming: the reader holds only pending unfinished calls (one per thread) and
// the last call (for its -k frames), whatever the length of the log. Checked on
// behaviour (what is pending, how far input was pulled), not on time or heap size.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StraceReader, readStrace, MAX_PENDING } from '../../src/engine/import/strace/reader';
import { straceToScenario, streamStraceToScenario } from '../../src/engine/import/convert';
import type { StraceEvent } from '../../src/engine/import/strace/types';

const THREADS = 4;

/** A long log of interleaved threads: each call split over two lines, another thread between. */
function* interleavedLog(calls: number): Generator<string> {
  for (let i = 0; i < calls; i++) {
    const tid = 100 + (i % THREADS);
    const addr = (0x7f0000000000 + (i % 64) * 0x1000).toString(16);
    yield `[pid ${tid}] 1700000000.${String(i % 1000000).padStart(6, '0')} mbind(0x${addr}, 4096, MPOL_BIND, [0x1], 65, 0 <unfinished ...>`;
    if (i % 7 === 0) yield ` > /bin/app(work+0x${i.toString(16)}) [0x1]`;
    yield `[pid ${tid}] <... mbind resumed>) = 0`;
  }
}

test('pending state stays at one call per thread over a long interleaved log', () => {
  let events = 0;
  let maxPending = 0;
  const reader = new StraceReader(() => events++);
  const split = (function* () {
    // hold THREADS calls open at once: unfinished for all threads, then all resumes
    for (let i = 0; i < 50_000; i++) {
      for (let t = 0; t < THREADS; t++) yield `[pid ${t + 1}] get_mempolicy(NULL, NULL, 0, NULL, 0 <unfinished ...>`;
      for (let t = 0; t < THREADS; t++) yield `[pid ${t + 1}] <... get_mempolicy resumed>) = 0`;
    }
  })();
  for (const line of split) {
    reader.push(line);
    maxPending = Math.max(maxPending, reader.pendingCount);
  }
  reader.finish();
  assert.equal(maxPending, THREADS);
  assert.equal(reader.pendingCount, 0);
  assert.equal(events, 50_000 * THREADS);
});

test('the reader pulls input lazily: events come out while the input is being read', () => {
  let pulled = 0;
  const source = (function* () {
    for (const line of interleavedLog(100_000)) {
      pulled++;
      yield line;
    }
  })();
  const events = readStrace(source);
  const first = events.next();
  assert.equal(first.done, false);
  assert.ok(pulled < 10, `pulled ${pulled} lines before the first event`);
  let n = 1;
  for (const e of events) if (e.kind === 'record') n++;
  assert.equal(n, 100_000);
});

test('abandoned calls cannot grow pending state past its bound', () => {
  const diagnostics: StraceEvent[] = [];
  const reader = new StraceReader((e) => {
    if (e.kind === 'diagnostic') diagnostics.push(e);
  });
  for (let tid = 1; tid <= MAX_PENDING + 100; tid++) reader.push(`[pid ${tid}] futex(0x1, FUTEX_WAIT, 0, NULL <unfinished ...>`);
  assert.equal(reader.pendingCount, MAX_PENDING);
  assert.equal(diagnostics.length, 100);
});

test('a large streamed conversion yields the same scenario as converting the text', async () => {
  const lines = [...interleavedLog(20_000)];
  async function* stream(): AsyncGenerator<string> {
    yield* lines;
  }
  const fromStream = await straceToScenario(stream());
  const fromText = straceToScenario(lines.join('\n'));
  assert.equal(fromStream.text, fromText.text);
  assert.equal(fromStream.summary.converted, 20_000);
  assert.equal(fromStream.summary.straceLines, lines.length);
});

test('a streamed conversion hands out scenario lines while the input is still being read', async () => {
  const CALLS = 20_000;
  const total = [...interleavedLog(CALLS)].length;
  let pulled = 0;
  let writtenAtHalf = -1;
  let written = 0;
  async function* input(): AsyncGenerator<string> {
    for (const line of interleavedLog(CALLS)) {
      if (++pulled === Math.floor(total / 2)) writtenAtHalf = written;
      yield line;
    }
  }
  const summary = await streamStraceToScenario(input(), {}, { line: () => written++, diagnostic: () => undefined });
  assert.equal(summary.converted, CALLS);
  // the log is uniform, so half of it in means about half of the scenario out (a few calls are still pending)
  assert.ok(Math.abs(writtenAtHalf - written / 2) < 10 * THREADS, `${writtenAtHalf} of ${written} scenario lines written at half the input`);
});
