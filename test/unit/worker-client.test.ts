import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { CancelledError, SimClient } from '../../src/worker/client';

// A stand-in for dist/simWorker.js speaking the same messages: 'hang' spins forever (a
// long synchronous run), 'fail' answers an error, a `crash` request kills the thread.
const FAKE_WORKER = `
const { parentPort } = require('node:worker_threads');
let last = null;
parentPort.on('message', (m) => {
  if (m.op === 'simulate') {
    if (m.job.text === 'hang') for (;;) {}
    if (m.job.text === 'fail') return parentPort.postMessage({ id: m.id, ok: false, error: 'bad scenario' });
    last = m.job.text;
    return parentPort.postMessage({ id: m.id, ok: true, value: { ran: m.job.text } });
  }
  if (m.request.type === 'crash') process.exit(3);
  parentPort.postMessage({ id: m.id, ok: true, value: { last } });
});`;

function client() {
  const started: Worker[] = [];
  const c = new SimClient(() => {
    const w = new Worker(FAKE_WORKER, { eval: true });
    started.push(w);
    return w;
  });
  return { c, started };
}

const job = (text: string) => ({ text, file: 'a.mplace', set: {} });
const request = (type: string) => ({ type }) as unknown as Parameters<SimClient['request']>[0];

test('a new run terminates a worker stuck in a stale run and starts a fresh one', { timeout: 20_000 }, async () => {
  const { c, started } = client();
  const stale = c.simulate(job('hang'));
  const fresh = c.simulate(job('quick'));
  await assert.rejects(stale, CancelledError);
  assert.deepEqual(await fresh, { ran: 'quick' });
  assert.equal(started.length, 2);
  assert.equal(c.busy, false);
  c.dispose();
});

test('runs that do not overlap share one worker, and requests see the latest run', async () => {
  const { c, started } = client();
  await c.simulate(job('one'));
  await c.simulate(job('two'));
  assert.deepEqual(await c.request(request('requestSeries')), { last: 'two' });
  assert.equal(started.length, 1);
  c.dispose();
});

test("a worker's error answer rejects only that call", async () => {
  const { c } = client();
  await assert.rejects(c.simulate(job('fail')), /bad scenario/);
  assert.deepEqual(await c.simulate(job('ok')), { ran: 'ok' });
  c.dispose();
});

test('a crashed worker is replaced and given the last completed job again', async () => {
  const { c, started } = client();
  await c.simulate(job('kept'));
  await assert.rejects(c.request(request('crash')), /exit code 3/);
  assert.deepEqual(await c.request(request('requestSeries')), { last: 'kept' });
  assert.equal(started.length, 2);
  c.dispose();
});
