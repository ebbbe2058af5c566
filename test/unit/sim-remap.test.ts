// A new mapping inside the address range of an unmapped one is a VMA of its own:
// find_vma() finds it, so calls on it succeed (mm/mempolicy.c queue_pages_range()
// walks the VMAs that exist now). Found by replaying real strace captures, where
// ld.so unmaps a file mapping and the program's next anonymous mmap reuses the range.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors, resident, run } from './sim-helpers';

test('a region mapped inside the range of an unmapped one takes policy calls (no EFAULT)', () => {
  const r = run(`a = mmap 40K anon at=0x7f0000000000
    munmap a
    b = mmap 16K anon at=0x7f0000004000
    mbind b bind cpu0
    expect ok
    cpu write b
    move_pages b query
    expect status cpu0,cpu0,cpu0,cpu0
    mbind 0x7f0000000000+40K bind cpu0
    expect error EFAULT`);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(r.expects.filter((e) => !e.pass), []);
});

test('a range over pieces of an old region around a new one walks them in address order', () => {
  const r = run(`a = mmap 40K anon at=0x7f0000000000
    munmap a[0x4000:+16K]
    b = mmap 16K anon at=0x7f0000004000
    mbind 0x7f0000000000+40K bind cpu1 flags=move
    expect ok
    cpu write a[0:+16K]
    cpu write b
    cpu write a[0x8000:+8K]
    expect 0x7f0000000000+40K on cpu1`);
  assert.deepEqual(errors(r), []);
  assert.deepEqual(r.expects.filter((e) => !e.pass), []);
  assert.deepEqual(resident(r, 'b'), { cpu1: 4 });
});
