import { test } from 'node:test';
import assert from 'node:assert/strict';
import { costModelFor, dmaBandwidth, type CostModel } from '../../src/engine/machine/costs';
import { machineFrom, presetMachine } from './device-machines';

const GB = 1e9;
const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const PRESETS = ['x86-pcie', 'power9-nvlink', 'gh200'] as const;
const model = (preset: string) => costModelFor(presetMachine(preset));
// node indices in the presets: cpu0 = 0, gpu0 = last
const gpu = (preset: string) => presetMachine(preset).devices[0];

test("PCIe 4 follows UVMSmart's size curve: 4 KiB 4.3, 64 KiB 20.8, 2 MiB 23.9 GB/s", () => {
  const gbps = (bytes: number) => Math.round((dmaBandwidth(24 * GB, bytes) / GB) * 10) / 10;
  assert.equal(gbps(4 * KiB), 4.3);
  assert.equal(gbps(64 * KiB), 20.8);
  assert.equal(gbps(2 * MiB), 23.9);
  const m = model('x86-pcie');
  assert.ok(m.copyNs(0, 2, 4 * KiB) > 900 && m.copyNs(0, 2, 4 * KiB) < 1000, 'one 4 KiB page ≈ 0.95 µs');
});

test('large transfers are not halved at 2 MiB (the UVMSmart quirk is left out)', () => {
  const m = model('x86-pcie');
  assert.ok(m.copyNs(0, 2, 4 * MiB) < 2 * m.copyNs(0, 2, 2 * MiB) * 1.01);
});

test('the fixed costs: CPU fault 1 µs, device fault batch 45 µs', () => {
  for (const p of PRESETS) {
    assert.equal(model(p).cpuFaultNs, 1_000);
    assert.equal(model(p).deviceFaultBatchNs, 45_000);
  }
});

test('GH200 copies are asymmetric: 375 GB/s to the GPU, 297 GB/s back', () => {
  const m = model('gh200');
  const h2d = (2 * MiB) / (m.copyNs(0, 1, 2 * MiB) / 1e9);
  const d2h = (2 * MiB) / (m.copyNs(1, 0, 2 * MiB) / 1e9);
  assert.ok(Math.abs(h2d / dmaBandwidth(375 * GB, 2 * MiB) - 1) < 1e-9);
  assert.ok(Math.abs(d2h / dmaBandwidth(297 * GB, 2 * MiB) - 1) < 1e-9);
});

test('the cost of one page, kept per pair of nodes, is each direction\'s own and as computed for any size', () => {
  const m = model('gh200');
  const page = presetMachine('gh200').pageSize;
  const toGpu = (page / dmaBandwidth(375 * GB, page)) * 1e9;
  const back = (page / dmaBandwidth(297 * GB, page)) * 1e9;
  for (let round = 0; round < 2; round++) {
    assert.ok(Math.abs(m.copyNs(0, 1, page) / toGpu - 1) < 1e-12, 'to the GPU');
    assert.ok(Math.abs(m.copyNs(1, 0, page) / back - 1) < 1e-12, 'back from it');
  }
  assert.ok(Math.abs(m.copyNs(0, 1, 2 * page) / ((2 * page) / dmaBandwidth(375 * GB, 2 * page)) / 1e9 - 1) < 1e-12, 'two pages are not the page cost');
});

/** Moving 1 GiB to the GPU in 2 MiB transfers, one fault batch per transfer. */
const bulkMigration = (m: CostModel, g: number) => 512 * (m.deviceFaultBatchNs + m.copyNs(0, g, 2 * MiB));
/** A GPU reading 1 GiB of CPU memory in place, page by page. */
const remoteReads = (m: CostModel, g: number) => 262_144 * m.accessNs(g, 0, 4 * KiB);

test('the presets rank as measured: C2C beats NVLink2 beats PCIe 4, for migrations and in-place access', () => {
  const migrate = PRESETS.map((p) => bulkMigration(model(p), gpu(p)));
  assert.ok(migrate[2] < migrate[1] && migrate[1] < migrate[0], `${migrate}`);
  const remote = PRESETS.map((p) => remoteReads(model(p), gpu(p)));
  assert.ok(remote[2] < remote[1] && remote[1] < remote[0], `${remote}`);
});

test('fault-bound work gains less from a faster link than bulk copies do', () => {
  const faultBound = (p: string) => {
    const m = model(p);
    return 100 * (m.deviceFaultBatchNs + m.copyNs(0, gpu(p), 4 * KiB));
  };
  const bulk = (p: string) => model(p).copyNs(0, gpu(p), 1 * GiB);
  const faultGain = faultBound('x86-pcie') / faultBound('gh200');
  const bulkGain = bulk('x86-pcie') / bulk('gh200');
  assert.ok(faultGain < 1.5, `${faultGain}`);
  assert.ok(bulkGain > 10, `${bulkGain}`);
});

test('local device memory is the fastest place to be, and a remote access pays a latency', () => {
  for (const p of PRESETS) {
    const m = model(p);
    const g = gpu(p);
    assert.ok(m.accessNs(g, g, 4 * KiB) < m.accessNs(g, 0, 4 * KiB), p);
    assert.ok(m.accessNs(0, 0, 4 * KiB) < m.accessNs(0, g, 4 * KiB), p);
  }
  const order = PRESETS.map((p) => model(p).accessNs(gpu(p), gpu(p), 1 * GiB));
  assert.ok(order[2] < order[0] && order[0] < order[1], 'HBM3 > HBM2e (A100) > HBM2 (V100)');
});

test('the second socket reaches the GPU through the inter-socket link', () => {
  const m = model('power9-nvlink');
  assert.ok(m.accessNs(2, 1, 4 * KiB) > m.accessNs(2, 0, 4 * KiB));
  assert.ok(m.copyNs(1, 2, 2 * MiB) >= m.copyNs(0, 2, 2 * MiB));
  assert.ok(m.copyNs(0, 1, 2 * MiB) > 0);
  assert.equal(m.copyNs(1, 1, 2 * MiB), 0);
});

test('custom machines use their link declarations and default to PCIe 4 for unlinked devices', () => {
  const m = costModelFor(
    machineFrom(`machine custom
      node host dram 1G
      node acc cdm 1G
      node dev private 1G
      link host acc bw=100GB/s bw-back=50GB/s lat=200ns
    end`),
  );
  const pcie = model('x86-pcie');
  assert.ok(Math.abs(m.copyNs(0, 2, 2 * MiB) - pcie.copyNs(0, 2, 2 * MiB)) < 1e-6, 'unlinked device: PCIe 4');
  const there = m.copyNs(0, 1, 2 * MiB);
  const back = m.copyNs(1, 0, 2 * MiB);
  assert.ok(Math.abs(back / there - 2) < 1e-9, 'bw-back is half of bw');
  assert.ok(m.accessNs(1, 0, 4096) > 200, 'latency applies');
});

test('every preset documents its numbers with a source and a trust level', () => {
  for (const p of [...PRESETS, 'power9-hmm']) {
    const entries = model(p).entries;
    assert.ok(entries.length >= 6, p);
    for (const e of entries) {
      assert.ok(e.source.length > 0 && ['V', 'S', 'U'].includes(e.trust), `${p}: ${e.what}`);
    }
  }
});
