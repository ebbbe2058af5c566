// One run's driver: the chosen policy's state (thrashing history, device memory
// pools, access counters, amdkfd retry window) and the entry point the simulator's
// fault path calls for each faulted page.

import type { Machine } from '../machine/machine';
import { AccessCounters } from './accessCounters';
import { RetryWindow } from './amdkfd';
import { DeviceChunkPool } from './eviction';
import type { DriverParams } from './params';
import { VA_BLOCK_BYTES } from './prefetch';
import { topologyFor, type Processor, type Topology } from './processor';
import { amdkfdDeviceFault, mirrorDeviceFault, uvmDeviceFault, type DeviceFaultInput, type FaultDecision } from './residency';
import { ThrashingTracker } from './thrashing';

export class DriverRuntime {
  readonly topology: Topology;
  /** pages per 2 MiB VA block: the unit of batching, prefetch and eviction */
  readonly pagesPerBlock: number;
  readonly thrashing: ThrashingTracker;
  /** device memory by device index */
  readonly pools: DeviceChunkPool[];
  /** null when access-counter migration is off */
  readonly counters: AccessCounters | null;
  /** pages per migration granule (amdkfd: with granuleAround) */
  readonly granulePages: number;
  private readonly retry: RetryWindow | null;

  constructor(
    readonly params: DriverParams,
    machine: Machine,
  ) {
    this.topology = topologyFor(machine);
    this.pagesPerBlock = Math.max(1, VA_BLOCK_BYTES / machine.pageSize);
    this.thrashing = new ThrashingTracker(
      {
        enabled: params.thrashing,
        lapseNs: params.thrashLapseNs,
        threshold: params.thrashThreshold,
        pinAfter: params.pinAfter,
        unpinAfterNs: params.unpinAfterNs,
      },
      this.pagesPerBlock,
    );
    this.pools = machine.devices.map((node) => new DeviceChunkPool(machine.nodes[node].bytes));
    this.counters = params.accessCounters ? new AccessCounters(params.counterThreshold, machine.pageSize) : null;
    this.retry = params.policy === 'amdkfd' ? new RetryWindow(params.retryWindowNs) : null;
    this.granulePages = Math.max(1, params.granularityBytes / machine.pageSize);
  }

  /** amdkfd: when a dropped fault on `page`'s granule will be serviced (0 for other drivers) */
  retryAt(page: number): number {
    return this.retry?.retryAt(Math.floor(page / this.granulePages)) ?? 0;
  }

  /**
   * The policy's decision for a fault on global page `page` at `nowNs`. Sets the
   * input's topology and thrashing hint (taken here) in place: the fault service
   * reuses one input object, and a copy per fault was most of its garbage.
   */
  decide(page: number, input: DeviceFaultInput, nowNs: number): FaultDecision {
    input.topology = this.topology;
    input.thrashing = undefined;
    switch (this.params.policy) {
      case 'mirror':
        return mirrorDeviceFault(input);
      case 'amdkfd':
        return amdkfdDeviceFault(input, this.retry?.isRepeat(Math.floor(page / this.granulePages), nowNs) ?? false);
      case 'uvm': {
        const residency: Processor = input.residentOn.includes(input.faulter) ? input.faulter : (input.residentOn[0] ?? 'cpu');
        input.thrashing = this.thrashing.hint(page, input.faulter, nowNs, {
          preferred: input.advice.preferred,
          residency,
          topology: this.topology,
        });
        return uvmDeviceFault(input);
      }
    }
  }
}
