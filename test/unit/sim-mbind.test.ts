import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, simulate } from '../../src/engine/index';
import { callAt, codes, diagnosticsOf, errors, placingDevice, resident, run } from './sim-helpers';

/** The errno (or null) of the mbind in a one-region scenario. */
function mbindErrno(args: string, setup = ''): { errno: string | null; reason: string } {
  const r = run(`A = mmap 64K\n${setup}\nmbind ${args}`);
  const c = r.calls[r.calls.length - 1];
  return { errno: c.errno, reason: c.reason };
}

test('mbind argument errors in the kernel order: mode, flag combinations, nodemask size', () => {
  assert.match(mbindErrno('A 7 cpu0').reason, /sanitize_mpol_flags: mode 7/);
  assert.match(mbindErrno('A bind cpu0 static relative').reason, /STATIC_NODES and MPOL_F_RELATIVE_NODES/);
  assert.match(mbindErrno('A interleave cpu0 balancing').reason, /NUMA_BALANCING needs/);
  assert.equal(mbindErrno('A bind cpu0 balancing').errno, null);
  assert.match(mbindErrno('A bind 5000').reason, /get_nodes: node 5000/);
  // the mode is checked before the flags, the flags before the alignment
  assert.match(mbindErrno('A[100:+4K] 7 cpu0 flags=8').reason, /sanitize_mpol_flags/);
  assert.match(mbindErrno('A[100:+4K] bind cpu0 flags=8').reason, /MPOL_MF_VALID/);
  assert.equal(mbindErrno('A[100:+4K] bind cpu0 flags=8').errno, 'EINVAL');
});

test('mbind MOVE_ALL needs CAP_SYS_NICE (EPERM), checked before the start alignment', () => {
  const noCap = mbindErrno('A[100:+4K] bind cpu0 flags=move_all');
  assert.equal(noCap.errno, 'EPERM');
  assert.equal(mbindErrno('A bind cpu0 flags=move_all', 'caps sys_nice').errno, null);
  const unaligned = mbindErrno('A[100:+4K] bind cpu0');
  assert.equal(unaligned.errno, 'EINVAL');
  assert.match(unaligned.reason, /not page aligned/);
});

test('mbind with length 0 succeeds before the policy is validated', () => {
  assert.deepEqual(mbindErrno('A[0:+0] bind'), { errno: null, reason: 'do_mbind: length 0, nothing to do' });
});

test('mpol_new: nodes where the mode takes none, none where it needs them', () => {
  assert.equal(mbindErrno('A default cpu0').errno, 'EINVAL');
  assert.equal(mbindErrno('A bind').errno, 'EINVAL');
  assert.equal(mbindErrno('A interleave').errno, 'EINVAL');
  assert.equal(mbindErrno('A weighted-interleave').errno, 'EINVAL');
  assert.equal(mbindErrno('A preferred-many').errno, 'EINVAL');
  assert.equal(mbindErrno('A local cpu0').errno, 'EINVAL');
  assert.equal(mbindErrno('A preferred static').errno, 'EINVAL');
  assert.equal(mbindErrno('A preferred').errno, null);
});

test('nodes are intersected with N_MEMORY: device-private memory or absent nodes leave nothing (EINVAL)', () => {
  const gpu = mbindErrno('A bind gpu0');
  assert.equal(gpu.errno, 'EINVAL');
  assert.match(gpu.reason, /gpu0 is ZONE_DEVICE memory/);
  assert.equal(mbindErrno('A bind 7').errno, 'EINVAL');
  assert.equal(mbindErrno('A bind 1,7').errno, null);
  const r = run('machine power9-nvlink\nA = mmap 8K\nmbind A bind gpu0');
  assert.equal(r.calls[0].errno, null, 'a cdm node is a NUMA node');
});

test('a hole in the range is EFAULT except for MPOL_DEFAULT', () => {
  const r = run(`A = mmap 8K
    munmap A[0:4K]
    mbind A bind cpu0
    expect error EFAULT
    mbind A default
    expect ok`);
  assert.deepEqual(errors(r), []);
});

test('LTP mbind01: each mode installs and get_mempolicy(MPOL_F_ADDR) reports it', () => {
  const r = run(`A = mmap 4M
    B = mmap 4M
    C = mmap 4M
    D = mmap 4M
    E = mmap 4M
    F = mmap 4M
    mbind A default
    mbind B bind cpu1
    mbind C interleave cpu1
    mbind D preferred
    mbind E preferred cpu1
    mbind F local
    get_mempolicy addr=A flags=addr
    get_mempolicy addr=B flags=addr
    get_mempolicy addr=C flags=addr
    get_mempolicy addr=D flags=addr
    get_mempolicy addr=E flags=addr
    get_mempolicy addr=F flags=addr`);
  assert.deepEqual(errors(r), []);
  const got = r.calls.filter((c) => c.op === 'get_mempolicy').map((c) => [c.ret, c.policy?.mode, c.policy?.nodes.join(',')]);
  assert.deepEqual(got, [
    [0, 'default', ''],
    [0, 'bind', 'cpu1'],
    [0, 'interleave', 'cpu1'],
    [0, 'local', ''],
    [0, 'preferred', 'cpu1'],
    [0, 'local', ''],
  ]);
});

test('LTP mbind02 / D4: STRICT alone over a misplaced page is EIO and leaves the policy alone', () => {
  for (const mode of ['preferred', 'bind', 'interleave']) {
    const r = run(`A = mmap 4K
      cpu write A
      mbind A ${mode} cpu1 flags=strict
      expect error EIO
      get_mempolicy addr=A flags=addr
      expect A on cpu0`);
    assert.deepEqual(errors(r), [], mode);
    assert.equal(r.calls[1].policy?.mode, 'default', mode);
    assert.match(r.calls[0].reason, /policy is not installed/);
  }
});

test('LTP mbind03: MOVE and MOVE_ALL (with CAP_SYS_NICE) move the page to the new node', () => {
  for (const mode of ['preferred', 'bind', 'interleave']) {
    for (const flags of ['move', 'move_all']) {
      const r = run(`caps sys_nice
        A = mmap 4K
        cpu write A
        mbind A ${mode} cpu1 flags=${flags}
        expect ok
        expect A on cpu1
        expect pages(cpu0) == 0`);
      assert.deepEqual(errors(r), [], `${mode} ${flags}`);
      assert.deepEqual(r.calls[0].pagesByNode, { cpu1: 1 });
    }
  }
});

test('D4: mbind without flags leaves resident pages, says how many stay misplaced, and steers new faults', () => {
  const r = run(`A = mmap 32K
    cpu write A[0:16K]
    mbind A bind cpu1
    expect ok
    cpu write A
    expect A[0:16K] on cpu0
    expect A[16K:32K] on cpu1`);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(diagnosticsOf(r, 'policy-no-effect'), ['3: mbind without move leaves resident pages where they are: 4 pages stay outside cpu1 (4 on cpu0); add flags=move to move them']);
});

test('mbind of the policy already in force is flagged as having no effect', () => {
  const r = run(`A = mmap 8K
    mbind A bind cpu1
    mbind A bind cpu1`);
  assert.deepEqual(diagnosticsOf(r, 'policy-no-effect'), ['3: the range already has the policy bind cpu1']);
});

test('D5: MOVE|STRICT ignores device-private pages: not moved, no EIO', () => {
  const r = run(`A = mmap 16K
    cpu write A
    migrate A[0:8K] to gpu0
    mbind A bind cpu1 flags=move,strict
    expect ok
    expect A[0:8K] on gpu0
    expect A[8K:16K] on cpu1`, { device: () => placingDevice });
  assert.deepEqual(errors(r), []);
  assert.deepEqual(callAt(r, 4).skipped, [{ pages: 2, why: 'device memory (ZONE_DEVICE) is not on the LRU: mbind never moves it' }]);
});

test('MOVE skips pages shared with another process silently; MOVE_ALL moves them', () => {
  const r = run(`caps sys_nice
    S = mmap 16K shared mapped-by=2
    cpu write S
    mbind S bind cpu1 flags=move,strict
    expect ok
    expect S on cpu0
    mbind S bind cpu1 flags=move_all
    expect S on cpu1`);
  assert.deepEqual(errors(r), []);
  assert.equal(callAt(r, 4).skipped?.[0].pages, 4);
});

test('shmem mapped by this process only moves like private memory (folio_likely_mapped_shared is false)', () => {
  const r = run(`S = mmap 16K shared
    cpu write S
    mbind S bind cpu1 flags=move,strict
    expect ok
    expect S on cpu1`);
  assert.deepEqual(errors(r), []);
});

test('MOVE|STRICT with a full bind target installs the policy, moves what fits, then EIO', () => {
  const r = run(`machine x86-pcie cpu1=8K
    A = mmap 16K
    cpu write A
    mbind A bind cpu1 flags=move,strict
    expect error EIO
    expect A[0:8K] on cpu1
    expect A[8K:16K] on cpu0
    get_mempolicy addr=A flags=addr`);
  assert.deepEqual(errors(r), []);
  assert.equal(r.calls[1].policy?.mode, 'bind');
  assert.equal(r.stopped, false);
});

test('MOVE only queues pages outside the mask; under interleave they go where fresh faults would', () => {
  const inMask = run(`A = mmap 32K
    cpu write A
    mbind A interleave cpu0,cpu1 flags=move`);
  assert.deepEqual(resident(inMask, 'A'), { cpu0: 8 });
  assert.deepEqual(inMask.calls[0].pagesByNode, {});
  const r = run(`machine box
    node n0 dram 1M cpus=0
    node n1 dram 1M
    node n2 dram 1M
    end
    A = mmap 32K
    cpu write A
    mbind A interleave n1,n2 flags=move
    B = mmap 32K
    mbind B interleave n1,n2
    cpu write B`);
  assert.deepEqual(resident(r, 'A'), { n1: 4, n2: 4 });
  // same virtual page parity in A and B (both start 2 MiB aligned): same split
  assert.deepEqual(resident(r, 'B'), { n1: 4, n2: 4 });
  assert.deepEqual(codes(r), []);
});

test('LTP mbind01 error rows with numbers the language cannot spell: mode -1, flags -1', () => {
  const scenario = parse('A = mmap 8K\nmbind A bind cpu0\nmbind A default');
  const [, bind, def] = scenario.statements;
  if (bind.kind !== 'mbind' || def.kind !== 'mbind') throw new Error('not parsed as mbind');
  bind.mode.value = -1;
  def.flags = -1;
  const r = simulate(scenario);
  assert.deepEqual(r.calls.map((c) => c.errno), ['EINVAL', 'EINVAL']);
  assert.match(r.calls[0].reason, /sanitize_mpol_flags/);
  assert.match(r.calls[1].reason, /MPOL_MF_VALID/);
});
