// Where a page goes when a device faults on it, for each driver policy. Pure
// functions over a small description of the page and its range's advice; the
// simulator carries out the decision (copies, mappings, events, costs).
//
// uvm:    semantics §3 rule 4, from uvm_va_block.c block_select_processor_residency
// mirror: semantics §3 rule 10, lib/test_hmm.c dmirror_fault → hmm_range_fault
// amdkfd: kfd_svm.c svm_range_restore_pages / svm_range_best_restore_location

import type { Backing } from '../syntax/ast';
import type { Processor, Topology } from './processor';
import type { ThrashingHint } from './thrashing';

/** How the device touched the page (the driver ranks them atomic > write > read > prefetch). */
export type FaultAccess = 'prefetch' | 'read' | 'write' | 'atomic';

/** The driver advice in force on the page's range (`advise` statements). */
export interface RangeAdvice {
  preferred: Processor | null;
  accessedBy: ReadonlySet<Processor>;
  readMostly: boolean;
}

export const NO_ADVICE: RangeAdvice = { preferred: null, accessedBy: new Set(), readMostly: false };

export interface DeviceFaultInput {
  /** the processor that faulted: a device, or the CPU (uvm only: managed memory and HMM pages) */
  faulter: Processor;
  access: FaultAccess;
  backing: Backing;
  /** processors holding a copy now; empty when the page has no memory (untouched or the zero page) */
  residentOn: readonly Processor[];
  advice: RangeAdvice;
  topology: Topology;
  /** the thrashing module's hint for this fault (uvm only) */
  thrashing?: ThrashingHint;
  /** the range has a VMA mempolicy (mbind), which then decides where new system pages go */
  hasMempolicy?: boolean;
}

export type FaultDecision =
  /** the page ends up resident only at `to` (allocated there if it had no memory; 'cpu' = under the range's policy); the faulter maps it, remotely when `to` is elsewhere */
  | { kind: 'migrate'; to: Processor; reason: string }
  /** the page stays where it is and the faulter maps it there */
  | { kind: 'map-in-place'; reason: string }
  /** a read-only copy at the faulter; the other copies stay */
  | { kind: 'duplicate'; reason: string }
  /** made valid as a CPU fault of the `by=` thread would (hmm_range_fault), then mapped where it lands */
  | { kind: 'fault-in-system'; reason: string }
  /** not serviced before `untilNs`; the faulter faults again then */
  | { kind: 'throttle'; untilNs: number; reason: string }
  /** a repeat fault inside the driver's retry window: dropped, nothing happens */
  | { kind: 'drop'; reason: string };

// Decisions that depend on nothing of the fault, made once: a fault allocates none of them.
const COHERENT_IN_PLACE: FaultDecision = { kind: 'map-in-place', reason: 'coherent machine: the device accesses CPU-populated memory in place (access counters may move it later)' };
const COHERENT_FIRST_TOUCH_POLICY: FaultDecision = { kind: 'fault-in-system', reason: "first touch by the device follows the range's mempolicy" };
const MIRROR_FAULT_IN: FaultDecision = { kind: 'fault-in-system', reason: 'hmm_range_fault faults the page in as the CPU would; it is mapped where it lands' };
const MIRROR_IN_PLACE: FaultDecision = { kind: 'map-in-place', reason: 'mirror driver: mapped where it is (pages move only with migrate and prefetch)' };
const MIRROR_FROM_OTHER_DEVICE: FaultDecision = { kind: 'fault-in-system', reason: "another device's private page: its driver migrates it back to system memory first" };
const AMDKFD_REPEAT: FaultDecision = { kind: 'drop', reason: 'repeat fault within the retry window: dropped as a duplicate' };

const name = (p: Processor): string => (p === 'cpu' ? 'system memory' : `device ${p}`);
const who = (p: Processor): string => (p === 'cpu' ? 'the CPU' : 'the device');

/** The default `uvm` driver (NVIDIA's open kernel module). */
export function uvmDeviceFault(f: DeviceFaultInput): FaultDecision {
  const { faulter, advice, residentOn, topology } = f;
  if (f.thrashing?.kind === 'throttle') {
    return { kind: 'throttle', untilNs: f.thrashing.untilNs, reason: 'thrashing: the driver throttles faults on this page' };
  }
  const systemOnly = systemOnlyDecision(f);
  if (systemOnly) return systemOnly;
  if (faulter === 'cpu' && f.backing !== 'managed') {
    // HMM: a CPU fault on a device-private page always brings it back (devmem_fault)
    return settle(f, 'cpu', 'the CPU cannot map device-private memory: the page migrates back');
  }

  const untouched = residentOn.length === 0;
  const { preferred } = advice;
  if (preferred !== null) {
    if (preferred === faulter || topology.canAccess(faulter, preferred)) {
      return settle(f, preferred, `preferred location is ${name(preferred)}`);
    }
    return settle(f, faulter, `preferred location ${name(preferred)} is out of reach of ${who(faulter)}: it migrates to the faulter`);
  }
  if (!untouched && advice.accessedBy.has(faulter) && residentOn.some((p) => topology.canAccess(faulter, p))) {
    return { kind: 'map-in-place', reason: `accessed-by ${who(faulter)}: mapped where it is, not moved` };
  }
  const readDup = advice.readMostly && f.backing === 'managed'; // read duplication is not implemented for HMM
  if (!untouched && readDup && (f.access === 'read' || f.access === 'prefetch')) {
    return { kind: 'duplicate', reason: `read-mostly: a read copy for ${who(faulter)}, the original stays` };
  }
  if (f.thrashing?.kind === 'pin') {
    return settle(f, f.thrashing.at, `thrashing: pinned at ${name(f.thrashing.at)}`);
  }
  if (faulter !== 'cpu' && topology.memoryKind(faulter) === 'cdm' && f.backing !== 'managed') {
    // ATS: system-allocated memory on a coherent machine
    if (!untouched) {
      return COHERENT_IN_PLACE;
    }
    if (f.hasMempolicy) return COHERENT_FIRST_TOUCH_POLICY;
    return { kind: 'migrate', to: faulter, reason: "first touch by the device: allocated on the device's NUMA node" };
  }
  if (untouched) return { kind: 'migrate', to: faulter, reason: `first touch: allocated in ${name(faulter)}` };
  if (readDup) return settle(f, faulter, 'a write to a read-mostly page collapses its copies onto the writer');
  return settle(f, faulter, `migrated to ${who(faulter)}`);
}

/** The `mirror` driver (lib/test_hmm.c, nouveau): device faults never move pages. */
export function mirrorDeviceFault(f: DeviceFaultInput): FaultDecision {
  const systemOnly = systemOnlyDecision(f);
  if (systemOnly) return systemOnly;
  if (f.residentOn.length === 0) {
    return MIRROR_FAULT_IN;
  }
  if (f.residentOn.some((p) => f.topology.canAccess(f.faulter, p))) {
    return MIRROR_IN_PLACE;
  }
  return MIRROR_FROM_OTHER_DEVICE;
}

/** The `amdkfd` driver; `repeat` says the fault's granule was restored within the retry window. */
export function amdkfdDeviceFault(f: DeviceFaultInput, repeat: boolean): FaultDecision {
  if (repeat) return AMDKFD_REPEAT;
  const systemOnly = systemOnlyDecision(f);
  if (systemOnly) return systemOnly;
  const { faulter: device, advice, residentOn } = f;
  if (advice.preferred === device || advice.preferred === 'cpu') {
    return settle(f, advice.preferred, `preferred location is ${name(advice.preferred)}`);
  }
  if (advice.accessedBy.has(device)) {
    // ACCESS_IN_PLACE: map system memory or this device's memory where it is, else fall back to system memory
    const inPlace = residentOn.length > 0 && residentOn.every((p) => p === 'cpu' || p === device);
    return inPlace
      ? { kind: 'map-in-place', reason: 'accessed-by this device (access in place): mapped where it is' }
      : settle(f, 'cpu', 'accessed-by this device (access in place): brought to system memory');
  }
  if (residentOn.length === 0) return { kind: 'migrate', to: device, reason: 'first touch by the device: allocated in VRAM' };
  return settle(f, device, 'migrated to the faulting device with its granule');
}

/** Semantics §3 rule 3: file-backed and shared pages never move to device memory. */
function systemOnlyDecision(f: DeviceFaultInput): FaultDecision | null {
  if (f.faulter === 'cpu' || (f.backing !== 'file' && f.backing !== 'shared')) return null;
  const why = f.backing === 'file' ? 'file-backed' : 'shared';
  return f.residentOn.length === 0
    ? { kind: 'fault-in-system', reason: `${why} page: read into system memory and mapped there` }
    : { kind: 'map-in-place', reason: `${why} page: stays in system memory, the device maps it remotely` };
}

/** A migration to where the page already is (and only is) is just a mapping. */
function settle(f: DeviceFaultInput, to: Processor, reason: string): FaultDecision {
  if (f.residentOn.length === 1 && f.residentOn[0] === to) return { kind: 'map-in-place', reason };
  return { kind: 'migrate', to, reason };
}
