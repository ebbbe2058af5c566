import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CancelledError } from '../../src/worker/client';
import type { RunSummary, SimulateJob } from '../../src/worker/messages';
import { RunScheduler } from '../../src/worker/runScheduler';

/** A client whose runs finish when the test says so; a new run cancels the one in flight. */
function fakeClient() {
  const runs: { job: SimulateJob; resolve(s: RunSummary): void; reject(e: Error): void }[] = [];
  return {
    runs,
    simulate(job: SimulateJob): Promise<RunSummary> {
      runs.at(-1)?.reject(new CancelledError());
      return new Promise((resolve, reject) => runs.push({ job, resolve, reject }));
    },
    dispose() {
      runs.at(-1)?.reject(new CancelledError());
    },
  };
}

function setup() {
  const client = fakeClient();
  const log: string[] = [];
  const scheduler = new RunScheduler(client, () => 300, {
    started: () => log.push('started'),
    finished: (s) => log.push(`finished ${(s as unknown as { text: string }).text}`),
    failed: (e) => log.push(`failed ${e.message}`),
    idle: () => log.push('idle'),
  });
  const job = (text: string) => async () => ({ text, file: 'a.mplace', set: {} });
  const summary = (text: string) => ({ text }) as unknown as RunSummary;
  return { client, log, scheduler, job, summary };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

test('edits run once, after the document has been quiet for the debounce delay', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const { client, scheduler, job } = setup();
  scheduler.schedule(job('a'));
  t.mock.timers.tick(200);
  scheduler.schedule(job('ab'));
  t.mock.timers.tick(299);
  await flush();
  assert.equal(client.runs.length, 0);
  t.mock.timers.tick(1);
  await flush();
  assert.deepEqual(client.runs.map((r) => r.job.text), ['ab']);
});

test('a newer run supersedes one in flight: only the newest is reported', async () => {
  const { client, log, scheduler, job, summary } = setup();
  const first = scheduler.runNow(job('old'));
  await flush();
  const second = scheduler.runNow(job('new'));
  await flush();
  client.runs[1].resolve(summary('new'));
  assert.equal(await first, undefined);
  assert.deepEqual(await second, summary('new'));
  assert.deepEqual(log, ['started', 'started', 'finished new', 'idle']);
});

test('a declined job never starts, a failure is reported, and cancel leaves the scheduler idle', async () => {
  const { client, log, scheduler, job } = setup();
  assert.equal(await scheduler.runNow(async () => undefined), undefined);
  assert.equal(client.runs.length, 0);
  const failing = scheduler.runNow(job('x'));
  await flush();
  client.runs[0].reject(new Error('worker died'));
  await failing;
  const cancelled = scheduler.runNow(job('y'));
  await flush();
  scheduler.cancel();
  assert.equal(await cancelled, undefined);
  assert.deepEqual(log, ['started', 'failed worker died', 'idle', 'started', 'idle']);
});
