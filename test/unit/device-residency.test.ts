import { test } from 'node:test';
import assert from 'node:assert/strict';
import { granuleAround, RetryWindow } from '../../src/engine/device/amdkfd';
import { topologyFor, type Processor } from '../../src/engine/device/processor';
import {
  amdkfdDeviceFault,
  mirrorDeviceFault,
  NO_ADVICE,
  uvmDeviceFault,
  type DeviceFaultInput,
  type RangeAdvice,
} from '../../src/engine/device/residency';
import { machineFrom, presetMachine } from './device-machines';

const x86 = topologyFor(presetMachine('x86-pcie'));
const gh200 = topologyFor(presetMachine('gh200'));
const twoGpus = topologyFor(
  machineFrom(`machine two
    node cpu0 dram 1G
    node gpu0 private 1G
    node gpu1 private 1G
  end`),
);

type FaultOptions = Partial<Omit<DeviceFaultInput, 'advice'>> & { advice?: Partial<RangeAdvice> };

function fault(over: FaultOptions): DeviceFaultInput {
  return {
    faulter: 0,
    access: 'read',
    backing: 'anon',
    residentOn: ['cpu'],
    topology: x86,
    ...over,
    advice: { ...NO_ADVICE, ...over.advice },
  };
}
const kindOf = (d: { kind: string; to?: Processor }) => (d.kind === 'migrate' ? `migrate:${d.to}` : d.kind);
const uvm = (over: FaultOptions) => kindOf(uvmDeviceFault(fault(over)));

test('uvm: a page in system memory migrates to the faulting device; an untouched one is allocated there', () => {
  assert.equal(uvm({}), 'migrate:0');
  assert.equal(uvm({ residentOn: [] }), 'migrate:0');
  assert.match(uvmDeviceFault(fault({ residentOn: [] })).reason, /first touch/);
});

test('uvm: file-backed and shared pages stay in system memory', () => {
  assert.equal(uvm({ backing: 'file' }), 'map-in-place');
  assert.equal(uvm({ backing: 'file', residentOn: [] }), 'fault-in-system');
  assert.equal(uvm({ backing: 'shared' }), 'map-in-place');
  assert.match(uvmDeviceFault(fault({ backing: 'shared' })).reason, /shared page: stays in system memory/);
});

test('uvm: the preferred location wins; the device maps it remotely when it is elsewhere', () => {
  assert.equal(uvm({ advice: { preferred: 'cpu' } }), 'map-in-place');
  assert.equal(uvm({ advice: { preferred: 'cpu' }, residentOn: [0] }), 'migrate:cpu');
  assert.equal(uvm({ advice: { preferred: 0 } }), 'migrate:0');
  assert.equal(uvm({ advice: { preferred: 'cpu', accessedBy: new Set([0]) }, residentOn: [0] }), 'migrate:cpu', 'before accessed-by');
});

test("uvm: a preferred location the device cannot reach (another GPU's private memory) does not hold the page", () => {
  assert.equal(uvm({ topology: twoGpus, advice: { preferred: 1 } }), 'migrate:0');
});

test('uvm: accessed-by this device maps the page where it is, except on first touch', () => {
  assert.equal(uvm({ advice: { accessedBy: new Set([0]) } }), 'map-in-place');
  assert.equal(uvm({ advice: { accessedBy: new Set([0]) }, residentOn: [] }), 'migrate:0');
  assert.equal(uvm({ advice: { accessedBy: new Set<Processor>(['cpu']) } }), 'migrate:0', 'another processor');
  assert.equal(uvm({ advice: { accessedBy: new Set([0]), readMostly: true }, backing: 'managed' }), 'map-in-place', 'before read-mostly');
});

test('uvm: read-mostly managed memory gets a read copy; a write collapses the copies onto the writer', () => {
  assert.equal(uvm({ backing: 'managed', advice: { readMostly: true } }), 'duplicate');
  assert.equal(uvm({ backing: 'managed', advice: { readMostly: true }, access: 'prefetch' }), 'duplicate');
  assert.equal(uvm({ backing: 'managed', advice: { readMostly: true }, access: 'write', residentOn: ['cpu', 0] }), 'migrate:0');
  assert.equal(uvm({ backing: 'anon', advice: { readMostly: true } }), 'migrate:0', 'no read duplication for HMM');
});

test('uvm: a throttled fault waits; a pinned page is mapped where it is pinned', () => {
  const throttled = uvmDeviceFault(fault({ thrashing: { kind: 'throttle', untilNs: 900 } }));
  assert.deepEqual([throttled.kind, throttled.kind === 'throttle' && throttled.untilNs], ['throttle', 900]);
  assert.equal(uvm({ thrashing: { kind: 'pin', at: 'cpu' } }), 'map-in-place');
  assert.equal(uvm({ thrashing: { kind: 'pin', at: 0 } }), 'migrate:0');
});

test('uvm on a coherent machine: CPU-populated memory is accessed in place, first touch lands on the GPU node', () => {
  assert.equal(uvm({ topology: gh200 }), 'map-in-place');
  assert.equal(uvm({ topology: gh200, residentOn: [] }), 'migrate:0');
  assert.equal(uvm({ topology: gh200, residentOn: [], hasMempolicy: true }), 'fault-in-system');
  assert.equal(uvm({ topology: gh200, backing: 'managed' }), 'migrate:0', 'managed memory still migrates');
});

test('mirror: device faults never move pages', () => {
  const mirror = (over: FaultOptions) => kindOf(mirrorDeviceFault(fault(over)));
  assert.equal(mirror({}), 'map-in-place');
  assert.equal(mirror({ residentOn: [] }), 'fault-in-system');
  assert.equal(mirror({ residentOn: [0] }), 'map-in-place');
  assert.equal(mirror({ topology: twoGpus, residentOn: [1] }), 'fault-in-system');
  assert.equal(mirror({ advice: { preferred: 0 } }), 'map-in-place', 'advice does not move pages either');
});

test('amdkfd: preferred location on fault, access in place, otherwise migrate to the GPU', () => {
  const amd = (over: FaultOptions) => kindOf(amdkfdDeviceFault(fault(over), false));
  assert.equal(amd({}), 'migrate:0');
  assert.equal(amd({ residentOn: [] }), 'migrate:0');
  assert.equal(amd({ advice: { preferred: 'cpu' } }), 'map-in-place');
  assert.equal(amd({ advice: { preferred: 'cpu' }, residentOn: [0] }), 'migrate:cpu');
  assert.equal(amd({ advice: { accessedBy: new Set([0]) } }), 'map-in-place');
  assert.equal(amd({ topology: twoGpus, advice: { accessedBy: new Set([0]) }, residentOn: [1] }), 'migrate:cpu');
  assert.equal(amd({ backing: 'file' }), 'map-in-place');
  assert.equal(kindOf(amdkfdDeviceFault(fault({}), true)), 'drop');
});

test('amdkfd: a repeat fault on a granule is dropped within the retry window only', () => {
  const w = new RetryWindow(2_000_000);
  assert.equal(w.isRepeat(3, 1_000), false);
  assert.equal(w.isRepeat(3, 1_000 + 1_999_999), true);
  assert.equal(w.isRepeat(4, 1_500), false, 'another granule');
  assert.equal(w.isRepeat(3, 1_000 + 2_000_000), false);
});

test('amdkfd: the granule around a fault is aligned and clipped to the range', () => {
  assert.deepEqual(granuleAround(700, 512, 0, 2048), [512, 1024]);
  assert.deepEqual(granuleAround(700, 512, 600, 900), [600, 900]);
});

test('uvm CPU faults: managed pages come back unless advice keeps them; HMM pages always come back', () => {
  const power9 = topologyFor(presetMachine('power9-nvlink'));
  const cpu = (over: FaultOptions) => uvm({ faulter: 'cpu', residentOn: [0], backing: 'managed', ...over });
  assert.equal(cpu({}), 'migrate:cpu');
  assert.equal(cpu({ advice: { preferred: 0 } }), 'migrate:cpu', 'x86: the CPU cannot reach device memory');
  assert.equal(cpu({ topology: power9, advice: { preferred: 0 } }), 'map-in-place', 'POWER9: coherent access in place');
  assert.equal(cpu({ advice: { readMostly: true } }), 'duplicate');
  assert.equal(cpu({ backing: 'anon', advice: { preferred: 0 } }), 'migrate:cpu');
});
