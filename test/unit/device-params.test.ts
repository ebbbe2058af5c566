import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultParams, describeParams, resolveDriver, PARAMETERS } from '../../src/engine/device/params';
import { parseSize, parseTimeNs } from '../../src/engine/device/values';
import { presetMachine } from './device-machines';

const x86 = presetMachine('x86-pcie');

test('uvm defaults are the driver defaults', () => {
  const p = defaultParams('uvm', x86);
  assert.equal(p.prefetch, true);
  assert.equal(p.prefetchThreshold, 51);
  assert.equal(p.batch, 256);
  assert.equal(p.thrashing, true);
  assert.equal(p.thrashLapseNs, 500_000);
  assert.equal(p.thrashThreshold, 3);
  assert.equal(p.pinAfter, 10);
  assert.equal(p.unpinAfterNs, 150_000_000);
  assert.equal(p.counterThreshold, 256);
  assert.equal(p.granularityBytes, 64 * 1024);
});

test('access counters default on only where the GPU uses ATS (cdm or coherent memory)', () => {
  assert.equal(defaultParams('uvm', x86).accessCounters, false);
  for (const preset of ['power9-nvlink', 'power9-hmm', 'gh200']) {
    assert.equal(defaultParams('uvm', presetMachine(preset)).accessCounters, true, preset);
  }
  assert.equal(defaultParams('mirror', presetMachine('gh200')).accessCounters, false);
});

test('amdkfd migrates 2 MiB granules and drops repeats within 2 ms; mirror works page by page', () => {
  const amd = defaultParams('amdkfd', x86);
  assert.equal(amd.granularityBytes, 2 * 1024 * 1024);
  assert.equal(amd.retryWindowNs, 2_000_000);
  assert.equal(amd.prefetch, false);
  const mirror = defaultParams('mirror', x86);
  assert.equal(mirror.granularityBytes, 4096);
  assert.equal(mirror.prefetch, false);
  assert.equal(mirror.thrashing, false);
});

test('settings apply in order, later ones win (driver statement, then --set)', () => {
  const { params, problems } = resolveDriver(
    'uvm',
    [
      { key: 'prefetch', value: 'off' },
      { key: 'thrash-lapse', value: '2ms' },
      { key: 'granularity', value: '2M' },
      { key: 'prefetch', value: 'on' },
    ],
    x86,
  );
  assert.deepEqual(problems, []);
  assert.equal(params.prefetch, true);
  assert.equal(params.thrashLapseNs, 2_000_000);
  assert.equal(params.granularityBytes, 2 * 1024 * 1024);
});

test('an unknown parameter is an error with a suggestion, and the others still apply', () => {
  const { params, problems } = resolveDriver(
    'uvm',
    [
      { key: 'prefetch-treshold', value: '60' },
      { key: 'batch', value: '128' },
    ],
    x86,
  );
  assert.equal(problems.length, 1);
  assert.equal(problems[0].index, 0);
  assert.equal(problems[0].severity, 'error');
  assert.match(problems[0].message, /unknown driver parameter 'prefetch-treshold'.*Did you mean 'prefetch-threshold'/);
  assert.equal(params.batch, 128);
});

test('an unknown policy is an error with a suggestion and falls back to uvm', () => {
  const { params, problems } = resolveDriver('amdkdf', [], x86);
  assert.equal(params.policy, 'uvm');
  assert.match(problems[0].message, /unknown driver policy 'amdkdf'.*Did you mean 'amdkfd'/);
  assert.equal(problems[0].index, -1);
});

test('bad values are errors that name the parameter and keep the default', () => {
  const cases: [string, string, RegExp][] = [
    ['prefetch', 'maybe', /prefetch: expected on or off/],
    ['prefetch-threshold', '101', /prefetch-threshold: 101 is outside 1\.\.100/],
    ['prefetch-threshold', '0', /outside 1\.\.100/],
    ['thrash-threshold', '8', /outside 1\.\.7/],
    ['batch', '-3', /expected a whole number/],
    ['thrash-lapse', '500', /expected a time such as 500us/],
    ['granularity', '3K', /power of two/],
    ['granularity', 'big', /expected a size/],
  ];
  for (const [key, value, message] of cases) {
    const { params, problems } = resolveDriver('uvm', [{ key, value }], x86);
    assert.equal(problems.length, 1, `${key}=${value}`);
    assert.match(problems[0].message, message);
    assert.deepEqual(params, defaultParams('uvm', x86), `${key}=${value} must not change anything`);
  }
});

test('a parameter the policy ignores is a warning, not an error', () => {
  const { problems } = resolveDriver('mirror', [{ key: 'retry-window', value: '5ms' }], x86);
  assert.equal(problems.length, 1);
  assert.equal(problems[0].severity, 'warning');
  assert.match(problems[0].message, /retry-window has no effect with the mirror driver/);
});

test('described parameters use the language spelling and cover every parameter', () => {
  const d = describeParams(defaultParams('uvm', x86));
  assert.deepEqual(Object.keys(d), PARAMETERS.map((p) => p.key));
  assert.equal(d['thrash-lapse'], '500us');
  assert.equal(d['unpin-after'], '150ms');
  assert.equal(d.granularity, '64K');
  assert.equal(d.prefetch, 'on');
  assert.equal(d['access-counters'], 'off');
  assert.equal(d['prefetch-threshold'], 51);
});

test('size and time literals follow the language', () => {
  assert.deepEqual(parseSize('64K'), { ok: true, value: 65536 });
  assert.deepEqual(parseSize('2MiB'), { ok: true, value: 2097152 });
  assert.deepEqual(parseSize('0x200000'), { ok: true, value: 2097152 });
  assert.deepEqual(parseTimeNs('1.5ms'), { ok: true, value: 1_500_000 });
  assert.equal(parseTimeNs('5 ms').ok, false);
});
