import { test } from 'node:test';
import assert from 'node:assert/strict';
import { migrateToDeviceEligibility, type PageForMigration } from '../../src/engine/device/eligibility';

const page = (over: Partial<PageForMigration>): PageForMigration => ({ backing: 'anon', presence: 'system', pinned: false, ...over });
const reason = (over: Partial<PageForMigration>) => {
  const e = migrateToDeviceEligibility(page(over));
  return e.eligible ? (e.allocate ? 'allocate' : 'copy') : e.reason;
};

test('private anonymous pages in system memory are copied; untouched and zero pages are allocated on the device', () => {
  assert.equal(reason({}), 'copy');
  assert.equal(reason({ presence: 'untouched' }), 'allocate');
  assert.equal(reason({ presence: 'zero-page' }), 'allocate');
});

test('each skipped page says why', () => {
  assert.equal(reason({ backing: 'file' }), 'file-backed');
  assert.equal(reason({ backing: 'file', presence: 'untouched' }), 'file-backed');
  assert.equal(reason({ backing: 'shared' }), 'shared');
  assert.equal(reason({ pinned: true }), 'pinned');
  assert.equal(reason({ presence: 'other-device' }), 'other-device');
  assert.equal(reason({ presence: 'swapped' }), 'swapped');
  assert.equal(reason({ presence: 'this-device' }), 'already-there');
});

test('the messages are written for users', () => {
  const e = migrateToDeviceEligibility(page({ backing: 'file' }));
  assert.equal(e.eligible, false);
  assert.match(!e.eligible ? e.message : '', /file-backed pages stay in system memory/);
  const pinned = migrateToDeviceEligibility(page({ pinned: true }));
  assert.match(!pinned.eligible ? pinned.message : '', /pinned/);
});

test('managed memory is moved by the driver itself, whatever its state', () => {
  assert.equal(reason({ backing: 'managed', pinned: true }), 'copy');
  assert.equal(reason({ backing: 'managed', presence: 'other-device' }), 'copy');
  assert.equal(reason({ backing: 'managed', presence: 'untouched' }), 'allocate');
  assert.equal(reason({ backing: 'managed', presence: 'this-device' }), 'already-there');
});
