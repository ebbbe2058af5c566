// The worker thread itself (dist/simWorker.js) with a trace job: the bundle converts
// a UVMSmart log (the async converter) and simulates it, and a panel question sent
// right after the job is answered from that job's run, in order.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { FromWorker, RunSummary, ToWorker } from '../../src/worker/messages';
import { FIXTURES } from '../fixtures/strace/load';

const WORKER = join(__dirname, '..', '..', 'simWorker.js');

test('the worker converts and simulates a UVMSmart log, then answers the next question from that run', async () => {
  const text = readFileSync(join(FIXTURES, '..', 'uvmsmart', 'small.log'), 'utf8');
  const worker = new Worker(WORKER);
  try {
    const answers: FromWorker[] = [];
    const two = new Promise<void>((resolve) =>
      worker.on('message', (m: FromWorker) => {
        answers.push(m);
        if (answers.length === 2) resolve();
      }),
    );
    const messages: ToWorker[] = [
      { id: 1, op: 'simulate', job: { text, file: 'small.log', set: {}, trace: 'uvmsmart' } },
      { id: 2, op: 'request', request: { type: 'requestSeries' } },
    ];
    messages.forEach((m) => worker.postMessage(m));
    await two;
    assert.deepEqual(
      answers.map((a) => [a.id, a.ok]),
      [
        [1, true],
        [2, true],
      ],
      JSON.stringify(answers.map((a) => (a.ok ? a.id : a.error))),
    );
    const summary = (answers[0] as { value: RunSummary }).value;
    assert.ok(summary.lineMap && summary.lineMap.some((line) => line > 0));
  } finally {
    await worker.terminate();
  }
});
