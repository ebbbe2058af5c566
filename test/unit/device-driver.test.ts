import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DriverRuntime } from '../../src/engine/device/driver';
import { defaultParams } from '../../src/engine/device/params';
import { topologyFor } from '../../src/engine/device/processor';
import { NO_ADVICE, type DeviceFaultInput } from '../../src/engine/device/residency';
import { presetMachine } from './device-machines';

const x86 = presetMachine('x86-pcie');
// decide fills in the topology and the thrashing hint itself
const fault: DeviceFaultInput = { faulter: 0, access: 'read', backing: 'anon', residentOn: ['cpu'], advice: NO_ADVICE, topology: topologyFor(x86) };

test('the runtime sizes its parts from the machine and the parameters', () => {
  const rt = new DriverRuntime(defaultParams('uvm', x86), x86);
  assert.equal(rt.pagesPerBlock, 512);
  assert.equal(rt.pools.length, 1);
  assert.equal(rt.pools[0].chunks, 40 * 512, '40 GiB in 2 MiB chunks');
  assert.equal(rt.counters, null, 'access counters are off on x86');
  assert.notEqual(new DriverRuntime(defaultParams('uvm', presetMachine('gh200')), presetMachine('gh200')).counters, null);
});

test('decide dispatches on the policy', () => {
  const decide = (policy: 'uvm' | 'mirror' | 'amdkfd') => new DriverRuntime(defaultParams(policy, x86), x86).decide(3, fault, 0).kind;
  assert.equal(decide('uvm'), 'migrate');
  assert.equal(decide('mirror'), 'map-in-place');
  assert.equal(decide('amdkfd'), 'migrate');
});

test('amdkfd drops a second fault in the same 2 MiB granule within 2 ms', () => {
  const rt = new DriverRuntime(defaultParams('amdkfd', x86), x86);
  assert.equal(rt.granulePages, 512);
  assert.equal(rt.decide(3, fault, 0).kind, 'migrate');
  assert.equal(rt.decide(500, fault, 1_000_000).kind, 'drop');
  assert.equal(rt.decide(600, fault, 1_000_000).kind, 'migrate', 'next granule');
});

test('uvm takes the thrashing hint for the page', () => {
  const rt = new DriverRuntime(defaultParams('uvm', presetMachine('gh200')), presetMachine('gh200'));
  const page = 9;
  const t = [0, 100, 200, 300, 400].map((us) => us * 1000);
  t.forEach((now, i) => rt.thrashing.recordEvent(page, i % 2 ? 0 : 'cpu', now));
  const d = rt.decide(page, { ...fault, backing: 'managed', residentOn: ['cpu'] }, 450_000);
  assert.equal(d.kind, 'migrate');
  assert.match(d.reason, /thrashing: pinned at device 0/);
});
