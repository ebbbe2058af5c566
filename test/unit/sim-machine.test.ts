import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMachine, parse } from '../../src/engine/index';
import { run } from './sim-helpers';

const GiB = 1024 ** 3;
const machineOf = (text: string, override?: string) => buildMachine(parse(text.replace(/^\s+/gm, '')).statements, override);

test('no machine statement gives x86-pcie with NUMA ids for the dram nodes only', () => {
  const { machine, problems } = machineOf('A = mmap 4K');
  assert.equal(machine.name, 'x86-pcie');
  assert.deepEqual(problems, []);
  assert.deepEqual(machine.nodes.map((n) => [n.name, n.kind, n.numaId]), [['cpu0', 'dram', 0], ['cpu1', 'dram', 1], ['gpu0', 'private', null]]);
  assert.deepEqual(machine.devices, [2]);
  assert.equal(machine.pageSize, 4096);
});

test('a preset with resizes, and NUMA ids for cdm nodes', () => {
  const { machine } = machineOf('machine gh200 cpu0=8G gpu0=1G');
  assert.deepEqual(machine.nodes.map((n) => [n.name, n.numaId, n.bytes]), [['cpu0', 0, 8 * GiB], ['gpu0', 1, GiB]]);
});

test('default distances: 10 local, 20 between sockets, 80 to device memory', () => {
  const { machine } = machineOf('machine power9-nvlink');
  assert.deepEqual(machine.distance, [[10, 20, 80], [20, 10, 80], [80, 80, 10]]);
});

test('a custom machine block: declaration order, cpus=, distances and links', () => {
  const { machine, problems } = machineOf(`machine box
    node m0 dram 1G cpus=0-3
    node far dram 1G
    node hbm cdm 1G
    node dev private 1G
    distance m0 far 30
    link m0 dev bw=24GB/s lat=1us
    end`);
  assert.deepEqual(problems, []);
  assert.deepEqual(machine.nodes.map((n) => [n.name, n.numaId, n.hasCpus, n.device]), [
    ['m0', 0, true, null],
    ['far', 1, false, null],
    ['hbm', 2, false, 0],
    ['dev', null, false, 1],
  ]);
  assert.equal(machine.distance[0][1], 30);
  assert.equal(machine.distance[1][0], 30);
  assert.deepEqual(machine.links, [{ a: 0, b: 3, bw: 24e9, bwBack: 24e9, latNs: 1000 }]);
});

test('pagesize 64K is honoured', () => {
  assert.equal(machineOf('pagesize 64K').machine.pageSize, 65536);
  assert.equal(run('pagesize 64K\nA = mmap 1M').regions[0].pages, 16);
});

test('the --machine override replaces the preset and keeps resizes of nodes it has', () => {
  const { machine } = machineOf('machine x86-pcie cpu0=2G cpu1=2G', 'gh200');
  assert.equal(machine.name, 'gh200');
  assert.equal(machine.nodes[0].bytes, 2 * GiB);
  assert.equal(machine.nodes.length, 2);
});

test('an unknown override preset or resized node is an unknown-name diagnostic', () => {
  const bad = machineOf('machine gh200', 'nosuch');
  assert.deepEqual(bad.problems.map((p) => p.code), ['unknown-name']);
  assert.equal(bad.machine.name, 'gh200');
  assert.deepEqual(machineOf('machine gh200 cpu7=1G').problems.map((p) => p.code), ['unknown-name']);
});

test('the result describes the machine and the default thread runs on the first dram node', () => {
  const r = run(`machine power9-hmm
    A = mmap 8K
    cpu write A`);
  assert.equal(r.machine.name, 'power9-hmm');
  assert.deepEqual(r.machine.nodes.map((n) => n.kind), ['dram', 'dram', 'coherent']);
  assert.deepEqual(r.regions[0].resident, { cpu0: 2 });
});

test('a custom machine without a dram node is refused and the default preset used', () => {
  for (const text of ['machine empty\nend', 'machine m\nnode g private 1G\nend']) {
    const r = run(`${text}\nA = mmap 4K\ncpu write A`);
    assert.equal(r.machine.name, 'x86-pcie');
    assert.deepEqual(r.diagnostics.map((d) => d.code), ['range-error']);
    assert.deepEqual(r.regions[0].resident, { cpu0: 1 });
  }
});
