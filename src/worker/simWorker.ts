// The simulation worker thread (dist/simWorker.js): the only place the editor runs the
// engine. One message in, one answer out, in order; buffers are transferred, not copied.

import { parentPort } from 'node:worker_threads';
import { simulateText } from '../engine/simulate';
import { buffersOf } from '../protocol/rpc';
import type { FromWorker, ToWorker } from './messages';
import { SimService } from './simService';

const port = parentPort;
if (!port) throw new Error('simWorker.js runs as a worker thread');
const service = new SimService(simulateText);

port.on('message', (message: ToWorker) => {
  let answer: FromWorker;
  try {
    answer = { id: message.id, ok: true, value: service.handle(message) };
  } catch (e) {
    answer = { id: message.id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(answer, answer.ok ? buffersOf(answer.value) : []);
});
