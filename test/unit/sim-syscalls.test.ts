import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callAt, diagnosticsOf, errors, lastCall, placingDevice, resident, run } from './sim-helpers';

test('set_mempolicy errors: bad mode, nodes for default/local, none for bind, nothing with memory', () => {
  const errnoOf = (line: string): string | null => lastCall(run(line)).errno;
  assert.equal(errnoOf('set_mempolicy 9 cpu0'), 'EINVAL');
  assert.equal(errnoOf('set_mempolicy default cpu0'), 'EINVAL');
  assert.equal(errnoOf('set_mempolicy local cpu1'), 'EINVAL');
  assert.equal(errnoOf('set_mempolicy bind'), 'EINVAL');
  assert.equal(errnoOf('set_mempolicy interleave gpu0'), 'EINVAL');
  assert.equal(errnoOf('set_mempolicy bind cpu0 static relative'), 'EINVAL');
  assert.equal(errnoOf('set_mempolicy preferred cpu1'), null);
  const failed = run('set_mempolicy bind');
  assert.match(diagnosticsOf(failed, 'call-failed')[0], /set_mempolicy failed with EINVAL: mpol_new: bind needs a non-empty nodemask/);
});

test('set_mempolicy applies to the thread that set it, and default removes it', () => {
  const r = run(`thread t1 on cpu0
    set_mempolicy t1 bind cpu1
    A = mmap 8K
    cpu t1 write A[0:4K]
    cpu write A[4K:8K]
    set_mempolicy t1 default
    B = mmap 4K
    cpu t1 write B
    set_mempolicy t1 default`);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(resident(r, 'A'), { cpu1: 1, cpu0: 1 });
  assert.deepEqual(resident(r, 'B'), { cpu0: 1 });
  assert.deepEqual(diagnosticsOf(r, 'policy-no-effect'), ['9: t1 already has the policy default']);
});

test('LTP set_mempolicy02: interleave over every node gives exact per-node counts', () => {
  const r = run(`set_mempolicy interleave cpu0,cpu1
    A = mmap 16K
    cpu write A
    expect pages(cpu0) == 2
    expect pages(cpu1) == 2
    set_mempolicy interleave 0-1
    B = mmap 64K
    cpu write B
    expect pages(cpu0) == 10
    expect pages(cpu1) == 10`);
  assert.deepEqual(errors(r), []);
});

test('relative nodes fold onto the allowed nodes', () => {
  const r = run(`set_mempolicy bind 2 relative
    get_mempolicy
    A = mmap 4K
    cpu write A`);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(r.calls[1].policy, { mode: 'bind|relative', nodes: ['2'] });
  assert.deepEqual(resident(r, 'A'), { cpu0: 1 }, 'bit 2 folds onto the first of two allowed nodes');
});

test('LTP get_mempolicy01: the task policy without MPOL_F_ADDR; MPOL_DEFAULT for a VMA without its own', () => {
  const r = run(`set_mempolicy default
    set_mempolicy bind cpu0
    set_mempolicy interleave cpu0
    set_mempolicy preferred
    set_mempolicy preferred cpu0
    get_mempolicy
    A = mmap 4M
    get_mempolicy addr=A flags=addr`);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(callAt(r, 6).policy, { mode: 'preferred', nodes: ['cpu0'] });
  assert.deepEqual(callAt(r, 8).policy, { mode: 'default', nodes: [] });
});

test('LTP get_mempolicy02 and flag rules: EFAULT without an address, EINVAL for bad combinations', () => {
  const errnoOf = (line: string): string | null => lastCall(run(`A = mmap 8K\nset_mempolicy bind cpu1\n${line}`)).errno;
  assert.equal(errnoOf('get_mempolicy flags=addr'), 'EFAULT');
  assert.equal(errnoOf('get_mempolicy flags=8'), 'EINVAL');
  assert.equal(errnoOf('get_mempolicy addr=A'), 'EINVAL');
  assert.equal(errnoOf('get_mempolicy flags=mems_allowed,addr addr=A'), 'EINVAL');
  assert.equal(errnoOf('get_mempolicy flags=node'), 'EINVAL');
  assert.equal(errnoOf('get_mempolicy addr=0x100000+4K flags=addr'), 'EFAULT');
  const allowed = run('get_mempolicy flags=mems_allowed');
  assert.deepEqual(allowed.calls[0].policy, { mode: 'default', nodes: ['cpu0', 'cpu1'] });
});

test('get_mempolicy node|addr faults the page in and names its node', () => {
  const r = run(`A = mmap 16K
    mbind A bind cpu1
    cpu write A[0:4K]
    get_mempolicy addr=A[0:4K] flags=node,addr
    get_mempolicy addr=A[4K:+4K] flags=node,addr
    migrate A[8K:+4K] to gpu0
    get_mempolicy addr=A[8K:+4K] flags=node,addr
    expect A[8K:+4K] on cpu1`, { device: () => placingDevice });
  assert.deepEqual(errors(r), []);
  assert.deepEqual(callAt(r, 4).policy?.nodes, ['cpu1']);
  assert.match(callAt(r, 5).reason, /zero page/);
  assert.deepEqual(callAt(r, 7).policy?.nodes, ['cpu1'], 'the device-private page came back under bind cpu1');
});

test('get_mempolicy node without addr: the next interleave node of the task', () => {
  const r = run(`set_mempolicy interleave cpu1,cpu0
    get_mempolicy flags=node`);
  assert.deepEqual(r.calls[1].policy?.nodes, ['cpu0']);
});

test('LTP move_pages04: per-page statuses for touched, untouched, zero and freed pages', () => {
  const r = run(`A = mmap 16K
    cpu write A[0:4K]
    cpu read A[8K:+4K]
    munmap A[12K:16K]
    move_pages A to cpu1
    expect status cpu1,-ENOENT,-EFAULT,-EFAULT
    expect ok
    expect A[0:4K] on cpu1`);
  assert.deepEqual(errors(r), []);
  assert.equal(r.calls[0].ret, 0);
});

test('move_pages query reports where pages are; ZONE_DEVICE pages are -ENOENT (D8) and stay', () => {
  const r = run(`A = mmap 16K
    cpu write A
    migrate A[4K:8K] to gpu0
    move_pages A query
    expect status cpu0,-ENOENT,cpu0,cpu0
    move_pages A to cpu1
    expect status 1,-ENOENT,1,1
    expect A[4K:8K] on gpu0`, { device: () => placingDevice });
  assert.deepEqual(errors(r), []);
  assert.equal(callAt(r, 6).ret, 0, 'a device page is a status, not a failure to migrate');
});

test('move_pages whole-call errors: EPERM for move_all without CAP_SYS_NICE, ENODEV for nodes without memory', () => {
  const r = run(`A = mmap 8K
    cpu write A
    move_pages A to cpu1 move_all
    expect error EPERM
    move_pages A to 2
    expect error ENODEV
    move_pages A to gpu0
    expect error ENODEV
    expect A on cpu0`);
  assert.deepEqual(errors(r), []);
});

test('move_pages: shared pages need move_all (-EACCES); the exact target with no fallback: a full one fails the call with ENOMEM', () => {
  const r = run(`machine x86-pcie cpu1=4K
    S = mmap 8K shared mapped-by=2
    cpu write S
    move_pages S to cpu1
    expect status -EACCES,-EACCES
    A = mmap 8K
    cpu write A
    move_pages A to cpu1
    expect error ENOMEM`);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(resident(r, 'A'), { cpu1: 1, cpu0: 1 }, 'the page moved before the failure stays moved');
});

test('migrate_pages moves every page on the k-th old node to the k-th new node, skipping device memory', () => {
  const r = run(`machine box
    node n0 dram 1M cpus=0
    node n1 dram 1M cpus=1
    node n2 dram 1M
    node dev private 1M
    end
    thread t1 on n1
    A = mmap 16K
    cpu write A[0:8K]
    cpu t1 write A[8K:16K]
    B = mmap 8K
    cpu write B
    migrate B to dev
    migrate_pages n0,n1 to n2,n0
    expect ok
    expect A on n0,n2
    expect pages(n1) == 0
    expect B on dev`, { device: () => placingDevice });
  assert.deepEqual(errors(r), []);
  assert.equal(resident(r, 'A').n2 + resident(r, 'A').n0, 4);
});

test('migrate_pages with more old nodes than new leaves sources that are also destinations', () => {
  const r = run(`machine box
    node n0 dram 1M cpus=0
    node n1 dram 1M cpus=1
    end
    thread t1 on n1
    A = mmap 8K
    cpu write A[0:4K]
    cpu t1 write A[4K:8K]
    migrate_pages n0,n1 to n1
    expect A on n1`);
  assert.deepEqual(errors(r), []);
});

test('migrate_pages errors: EPERM for a new node outside the cpuset without CAP_SYS_NICE, EINVAL when none is left', () => {
  const r = run(`A = mmap 4K
    cpu write A
    migrate_pages cpu0 to 5
    expect error EPERM
    caps sys_nice
    migrate_pages cpu0 to 5
    expect error EINVAL
    migrate_pages cpu0 to 5000
    expect error EINVAL`);
  assert.deepEqual(errors(r), []);
});

test('migrate_pages skips shared pages without CAP_SYS_NICE; a full destination fails it with ENOMEM', () => {
  const r = run(`machine x86-pcie cpu1=4K
    S = mmap 8K shared mapped-by=2
    cpu write S
    migrate_pages cpu0 to cpu1
    expect S on cpu0
    A = mmap 8K
    cpu write A
    migrate_pages cpu0 to cpu1
    expect error ENOMEM`);
  assert.deepEqual(errors(r), []);
  assert.equal(r.calls[0].ret, 0, 'skipping a shared page is not a failure');
  assert.deepEqual(resident(r, 'A'), { cpu1: 1, cpu0: 1 });
});
