// The simulation worker thread (dist/simWorker.js): the only place the editor runs the
// engine and the trace converters. One message in, one answer out, in order (an async
// answer holds back the next message); buffers are transferred, not copied.

import { parentPort } from 'node:worker_threads';
import { simulateText } from '../engine/simulate';
import { buffersOf } from '../protocol/rpc';
import type { FromWorker, ToWorker } from './messages';
import { SimService } from './simService';

const port = parentPort;
if (!port) throw new Error('simWorker.js runs as a worker thread');
const service = new SimService(simulateText);

let previous: Promise<void> = Promise.resolve();

port.on('message', (message: ToWorker) => {
  previous = previous.then(() => answer(message)).then((a) => port.postMessage(a, a.ok ? buffersOf(a.value) : []));
});

async function answer(message: ToWorker): Promise<FromWorker> {
  try {
    return { id: message.id, ok: true, value: await service.handle(message) };
  } catch (e) {
    return { id: message.id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
