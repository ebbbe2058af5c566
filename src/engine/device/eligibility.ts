// Which pages an explicit `migrate`/`prefetch` can move to device memory: the
// kernel's migrate_vma rules (mm/migrate_device.c: migrate_vma_collect_pmd,
// migrate_vma_check_page, __migrate_device_pages), semantics §3 rule 6. Managed
// memory is moved by the driver itself and is not subject to them.

import type { Backing } from '../syntax/ast';

export type PagePresence =
  /** never touched, no memory */
  | 'untouched'
  /** read before any write: maps the shared zero page */
  | 'zero-page'
  /** in system memory (a dram or cdm node) */
  | 'system'
  | 'swapped'
  /** already in the target device's memory */
  | 'this-device'
  /** in another device's private or coherent memory */
  | 'other-device';

export interface PageForMigration {
  backing: Backing;
  presence: PagePresence;
  /** extra references, e.g. pinned by get_user_pages */
  pinned: boolean;
}

export type SkipReason = 'already-there' | 'file-backed' | 'shared' | 'other-device' | 'swapped' | 'pinned';

export type Eligibility =
  /** `allocate`: the page has no memory yet, so the device allocates it directly (nothing to copy) */
  | { eligible: true; allocate: boolean }
  | { eligible: false; reason: SkipReason; message: string };

const SKIP_MESSAGES: Record<SkipReason, string> = {
  'already-there': 'already in this device memory',
  'file-backed': 'file-backed pages stay in system memory: only private anonymous memory can move to device memory',
  shared: 'shared memory (shmem) stays in system memory: only private anonymous memory can move to device memory',
  'other-device': "in another device's memory: a device can only take system pages or its own",
  swapped: 'swapped out: migration skips pages that are not present',
  pinned: 'pinned (extra references, e.g. get_user_pages): the kernel refuses to migrate it',
};

export function migrateToDeviceEligibility(page: PageForMigration): Eligibility {
  const skip = (reason: SkipReason): Eligibility => ({ eligible: false, reason, message: SKIP_MESSAGES[reason] });
  if (page.presence === 'this-device') return skip('already-there');
  const noMemory = page.presence === 'untouched' || page.presence === 'zero-page';
  if (page.backing === 'managed') return { eligible: true, allocate: noMemory };
  if (page.backing === 'file') return skip('file-backed');
  if (page.backing === 'shared') return skip('shared');
  if (page.presence === 'other-device') return skip('other-device');
  if (page.presence === 'swapped') return skip('swapped');
  if (page.pinned && !noMemory) return skip('pinned');
  return { eligible: true, allocate: noMemory };
}
