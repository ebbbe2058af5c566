// The device driver's policy (`driver uvm|mirror|amdkfd`) and its parameters, each
// with the real driver's default and where that default comes from. Settings come
// from the `driver` statement and the CLI's `--set k=v`, in that order (later wins).

import type { Machine } from '../machine/machine';
import { closest } from '../syntax/suggest';
import { parseInteger, parseSize, parseSwitch, parseTimeNs, type Parsed } from './values';

export type DriverPolicy = 'uvm' | 'mirror' | 'amdkfd';
export const DRIVER_POLICIES: readonly DriverPolicy[] = ['uvm', 'mirror', 'amdkfd'];

export interface DriverParams {
  policy: DriverPolicy;
  /** density-tree prefetcher on device faults */
  prefetch: boolean;
  /** percent of a subtree that must be resident or faulted (strictly more than) */
  prefetchThreshold: number;
  /** distinct faulted pages serviced per batch */
  batch: number;
  thrashing: boolean;
  /** max gap between two migrations of a page for them to count as consecutive */
  thrashLapseNs: number;
  /** consecutive events that make a page thrashing */
  thrashThreshold: number;
  /** throttles before the page is pinned */
  pinAfter: number;
  /** how long a page stays pinned; 0 = forever */
  unpinAfterNs: number;
  accessCounters: boolean;
  /** remote accesses per 2 MiB region before a notification */
  counterThreshold: number;
  /** uvm: the big page faults grow to; amdkfd: the migration granule; mirror: one page */
  granularityBytes: number;
  /** amdkfd: a repeat fault on a range within this window is dropped */
  retryWindowNs: number;
}

type Field = Exclude<keyof DriverParams, 'policy'>;

interface ParamSpec {
  key: string;
  field: Field;
  parse(text: string): Parsed<number | boolean>;
  /** policies whose behaviour the parameter changes */
  appliesTo: readonly DriverPolicy[];
  /** the real driver's default and its source, for docs and hovers */
  source: string;
}

const KiB = 1024;
const MiB = 1024 * KiB;

const powerOfTwoSize = (text: string): Parsed<number> => {
  const r = parseSize(text);
  if (!r.ok) return r;
  const b = r.value;
  if (b < 4 * KiB || b > 1024 * MiB || (b & (b - 1)) !== 0) {
    return { ok: false, message: `granularity must be a power of two from 4K to 1G, got '${text}'` };
  }
  return r;
};

const timeIn = (min: number, max: number, what: string) => (text: string): Parsed<number> => {
  const r = parseTimeNs(text);
  if (r.ok && (r.value < min || r.value > max)) return { ok: false, message: `${what} '${text}' is out of range` };
  return r;
};

export const PARAMETERS: readonly ParamSpec[] = [
  { key: 'prefetch', field: 'prefetch', parse: parseSwitch, appliesTo: ['uvm'],
    source: 'on: uvm_perf_prefetch_enable = 1 (uvm_perf_prefetch.c)' },
  { key: 'prefetch-threshold', field: 'prefetchThreshold', parse: (t) => parseInteger(t, 1, 100), appliesTo: ['uvm'],
    source: '51: UVM_PREFETCH_THRESHOLD_DEFAULT (uvm_perf_prefetch.c, compute_prefetch_region)' },
  { key: 'batch', field: 'batch', parse: (t) => parseInteger(t, 1, 65536), appliesTo: ['uvm', 'amdkfd'],
    source: '256: uvm_perf_fault_batch_count (uvm_gpu_replayable_faults.c)' },
  { key: 'thrashing', field: 'thrashing', parse: parseSwitch, appliesTo: ['uvm'],
    source: 'on: uvm_perf_thrashing_enable = 1 (uvm_perf_thrashing.c)' },
  { key: 'thrash-lapse', field: 'thrashLapseNs', parse: timeIn(1e3, 10e9, 'thrash-lapse'), appliesTo: ['uvm'],
    source: '500us: uvm_perf_thrashing_lapse_usec (uvm_perf_thrashing.c); also the throttle nap (uvm_perf_thrashing_nap = 1 lapse)' },
  { key: 'thrash-threshold', field: 'thrashThreshold', parse: (t) => parseInteger(t, 1, 7), appliesTo: ['uvm'],
    source: '3: uvm_perf_thrashing_threshold, at most 7 (uvm_perf_thrashing.c, thrashing_event_cb)' },
  { key: 'pin-after', field: 'pinAfter', parse: (t) => parseInteger(t, 1, 1000), appliesTo: ['uvm'],
    source: '10: uvm_perf_thrashing_pin_threshold (uvm_perf_thrashing.c, get_hint_for_migration_thrashing)' },
  { key: 'unpin-after', field: 'unpinAfterNs', parse: timeIn(0, 3600e9, 'unpin-after'), appliesTo: ['uvm'],
    source: '150ms: uvm_perf_thrashing_pin = 300 lapses (uvm_perf_thrashing.c, thrashing_pin_page); 0 = pinned forever' },
  { key: 'access-counters', field: 'accessCounters', parse: parseSwitch, appliesTo: ['uvm'],
    source: 'on with ATS (cdm or coherent device memory), off otherwise: uvm_perf_access_counter_migration_enable = -1 (uvm_gpu_access_counters.c)' },
  { key: 'counter-threshold', field: 'counterThreshold', parse: (t) => parseInteger(t, 1, 65535), appliesTo: ['uvm'],
    source: '256: uvm_perf_access_counter_threshold (uvm_gpu_access_counters.c)' },
  { key: 'granularity', field: 'granularityBytes', parse: powerOfTwoSize, appliesTo: ['uvm', 'amdkfd'],
    source: 'uvm 64K: UVM_BIG_PAGE_SIZE, faults grow to big pages (uvm_perf_prefetch.c, grow_fault_granularity); amdkfd 2M: svm_default_granularity = 9 (kfd_svm.c)' },
  { key: 'retry-window', field: 'retryWindowNs', parse: timeIn(0, 10e9, 'retry-window'), appliesTo: ['amdkfd'],
    source: '2ms: AMDGPU_SVM_RANGE_RETRY_FAULT_PENDING (kfd_svm.c, svm_range_restore_pages)' },
];

/** Access-counter migration defaults on where the GPU reaches system memory through ATS. */
function hasAts(machine: Machine): boolean {
  return machine.nodes.some((n) => n.kind === 'cdm' || n.kind === 'coherent');
}

export function defaultParams(policy: DriverPolicy, machine: Machine): DriverParams {
  const uvm = policy === 'uvm';
  return {
    policy,
    prefetch: uvm,
    prefetchThreshold: 51,
    batch: 256,
    thrashing: uvm,
    thrashLapseNs: 500_000,
    thrashThreshold: 3,
    pinAfter: 10,
    unpinAfterNs: 150_000_000,
    accessCounters: uvm && hasAts(machine),
    counterThreshold: 256,
    // the HMM test driver migrates and maps single pages
    granularityBytes: policy === 'amdkfd' ? 2 * MiB : uvm ? 64 * KiB : machine.pageSize,
    retryWindowNs: policy === 'amdkfd' ? 2_000_000 : 0,
  };
}

export interface ParamSetting {
  key: string;
  value: string;
}

export interface ParamProblem {
  /** index of the setting in the input list; -1 for the policy name */
  index: number;
  severity: 'error' | 'warning';
  message: string;
}

/**
 * The parameters in force for `policyName` (default `uvm`) after applying `settings`
 * in order. Bad settings are reported and skipped; the rest still apply.
 */
export function resolveDriver(
  policyName: string | undefined,
  settings: readonly ParamSetting[],
  machine: Machine,
): { params: DriverParams; problems: ParamProblem[] } {
  const problems: ParamProblem[] = [];
  let policy: DriverPolicy = 'uvm';
  if (policyName !== undefined) {
    if ((DRIVER_POLICIES as readonly string[]).includes(policyName)) policy = policyName as DriverPolicy;
    else problems.push({ index: -1, severity: 'error', message: unknownMessage('driver policy', policyName, DRIVER_POLICIES) });
  }
  const params = defaultParams(policy, machine);
  settings.forEach((s, index) => {
    const spec = PARAMETERS.find((p) => p.key === s.key);
    if (spec === undefined) {
      const keys = PARAMETERS.map((p) => p.key);
      problems.push({ index, severity: 'error', message: unknownMessage('driver parameter', s.key, keys) });
      return;
    }
    const r = spec.parse(s.value);
    if (!r.ok) {
      problems.push({ index, severity: 'error', message: `${s.key}: ${r.message}` });
      return;
    }
    (params as unknown as Record<Field, number | boolean>)[spec.field] = r.value;
    if (!spec.appliesTo.includes(policy)) {
      problems.push({ index, severity: 'warning', message: `${s.key} has no effect with the ${policy} driver` });
    }
  });
  return { params, problems };
}

function unknownMessage(what: string, name: string, known: readonly string[]): string {
  const guess = closest(name, known);
  const hint = guess ? ` Did you mean '${guess}'?` : ` Known: ${known.join(', ')}.`;
  return `unknown ${what} '${name}'.${hint}`;
}

/** The parameters as the language writes them, for `MachineInfo.driverParams`. */
export function describeParams(params: DriverParams): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const spec of PARAMETERS) out[spec.key] = formatValue(spec, params[spec.field]);
  return out;
}

function formatValue(spec: ParamSpec, value: number | boolean): string | number {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (spec.field === 'granularityBytes') {
    return value >= MiB && value % MiB === 0 ? `${value / MiB}M` : `${value / KiB}K`;
  }
  if (spec.field.endsWith('Ns')) {
    if (value === 0) return '0ns';
    if (value % 1e6 === 0) return `${value / 1e6}ms`;
    return value % 1e3 === 0 ? `${value / 1e3}us` : `${value}ns`;
  }
  return value;
}
