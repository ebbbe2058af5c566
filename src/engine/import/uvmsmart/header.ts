// The configuration options a replay needs, out of the hundreds GPGPU-Sim prints
// (`option_parser_print`: `-<name> <value> # <help>`). Their meaning is from
// DebashisGanguly/gpgpu-sim_UVMSmart: src/gpgpu-sim/gpu-sim.cc
// (`gpgpu_sim_config::reg_options`) and the gmmu's policy enums.

import type { UvmSmartHeader } from './types';

/** Options the reader keeps (everything else in the configuration dump is ignored). */
export const KNOWN_OPTIONS = new Set([
  'gpgpu_clock_domains',
  'page_size',
  'gddr_size',
  'eviction_policy',
  'hardware_prefetch',
  'hwprefetch_oversub',
  'pcie_bandwidth',
  'page_fault_latency',
  'page_table_walk_latency',
  'gpgpu_kernel_launch_latency',
  'invalidate_clean',
  'reserve_accessed_page_percent',
  'percentage_of_free_page_buffer',
  'enable_dma',
  'multiply_dma_penalty',
  'migrate_threshold',
  'sim_prof_enable',
  'enable_smart_runtime',
]);

// `enum class eviction_policy { LRU, TBN, SEQUENTIAL_LOCAL, RANDOM, LFU, LRU4K }` and
// `enum class hwardware_prefetcher { DISBALED, TBN, SEQUENTIAL_LOCAL, RANDOM }` in the
// gmmu of UVMSmart and its derivatives (LRU = 2 MiB large-page LRU, LRU4K = 4 KiB LRU,
// TBN = tree-based neighbourhood).
const EVICTION_POLICIES = ['LRU', 'TBN', 'SEQUENTIAL_LOCAL', 'RANDOM', 'LFU', 'LRU4K'];
const PREFETCHERS = ['DISABLED', 'TBN', 'SEQUENTIAL_LOCAL', 'RANDOM'];

const BYTE_UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 };

export function emptyHeader(): UvmSmartHeader {
  return { options: {}, optionLines: {} };
}

/** `15.96591MB` → bytes (binary units, as GPGPU-Sim's size options use); null if malformed. */
export function parseByteString(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?B)$/i.exec(text);
  if (!m) return null;
  return Math.floor(Number(m[1]) * BYTE_UNITS[m[2].toUpperCase()]);
}

/**
 * Folds one option into the header. Returns an error message when the value of an
 * option the replay depends on cannot be understood (the option is then left unset).
 */
export function applyOption(header: UvmSmartHeader, name: string, value: string, line: number): string | null {
  header.options[name] = value;
  header.optionLines[name] = line;
  switch (name) {
    case 'gpgpu_clock_domains': {
      const mhz = Number(value.split(':')[0]);
      if (!(mhz > 0)) return `cannot read the core clock from '${value}' (expected <MHz>:<MHz>:<MHz>:<MHz>)`;
      header.coreClockMHz = mhz;
      return null;
    }
    case 'page_size':
    case 'gddr_size': {
      const bytes = parseByteString(value);
      if (bytes === null || bytes <= 0) return `cannot read a size from '${value}' (expected e.g. 4KB, 2MB, 1GB)`;
      if (name === 'page_size') header.pageSize = bytes;
      else {
        header.gddrBytes = bytes;
        header.gddrText = value;
      }
      return null;
    }
    case 'eviction_policy':
    case 'hardware_prefetch':
    case 'hwprefetch_oversub': {
      const id = Number(value);
      if (!Number.isInteger(id) || id < 0) return `'${value}' is not a policy number`;
      const names = name === 'eviction_policy' ? EVICTION_POLICIES : PREFETCHERS;
      const policy = { id, name: names[id] ?? `policy ${id}` };
      if (name === 'eviction_policy') header.evictionPolicy = policy;
      else if (name === 'hardware_prefetch') header.hardwarePrefetch = policy;
      else header.hardwarePrefetchOversub = policy;
      return null;
    }
    case 'pcie_bandwidth': {
      const m = /^(\d+(?:\.\d+)?)GB\/s$/.exec(value);
      if (!m) return `cannot read a bandwidth from '${value}' (expected e.g. 16.0GB/s)`;
      header.pcieBandwidth = Number(m[1]) * 1e9;
      return null;
    }
    default:
      return null;
  }
}
