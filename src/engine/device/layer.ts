// The device layer the simulator hands `gpu`, `advise`, `prefetch`, `migrate` and
// `driver` statements to (sim/device.ts): one per simulation run, holding a
// DeviceRun made from the run's driver policy and parameters (the `driver` line,
// then the CLI's `--set`, where `driver=<policy>` picks the policy).

import { CHUNK_MASK, CHUNK_SHIFT } from '../sim/pages';
import type { Region } from '../sim/state';
import type { DeviceContext, DeviceLayer, DeviceLayerFactory, DeviceStatement } from '../sim/device';
import { DeviceFlag, DeviceRun } from './deviceRun';
import { advise, moveCall } from './driverCalls';
import { gpuAccess } from './gpuAccess';
import { reportWaste } from './waste';

type DriverStatement = Extract<DeviceStatement, { kind: 'driver' }>;

function createRun(ctx: DeviceContext, st: DriverStatement | null): DeviceRun {
  const { driver, ...rest } = ctx.driverParams;
  const settings = Object.entries(rest).map(([key, value]) => ({ key, value }));
  const span = st?.span ?? ctx.span;
  return new DeviceRun(ctx, driver ?? st?.policy.name, settings, (index) => {
    if (index < 0) return { span, fromLine: driver === undefined };
    const written = st?.params.find((p) => p.key === settings[index].key && p.value === settings[index].value);
    return written ? { span: written.span, fromLine: true } : { span, fromLine: false };
  });
}

/**
 * The kernel moved region pages [first, end) off device node `from`, page first + i
 * at `leftAt[i]`: the driver's pages among them lose its flag and their device
 * memory (one pool release per 2 MiB block), and the thrashing detector records a
 * migration to the CPU for each of them at its own time (one recordRunAt per run of
 * them: the detector compares each page's time with its lapse window).
 */
function pagesLeftDevice(run: DeviceRun, ctx: DeviceContext, r: Region, first: number, end: number, from: number, leftAt: Float64Array): void {
  if (end === first + 1) return pageLeftDevice(run, ctx, r, first, from, leftAt[0]);
  const device = run.deviceOfNode[from];
  const thrashing = run.rt.thrashing;
  const base = run.vpn(r, 0);
  for (let blockFirst = first; blockFirst < end; ) {
    const block = Math.floor((base + blockFirst) / run.pagesPerBlock);
    const blockEnd = Math.min(end, (block + 1) * run.pagesPerBlock - base);
    let left = 0;
    for (let p = blockFirst; p < blockEnd; ) {
      const chunkEnd = Math.min(blockEnd, ((p >> CHUNK_SHIFT) + 1) << CHUNK_SHIFT);
      const c = ctx.pages.peek(r.index, p);
      if (!c) {
        p = chunkEnd;
        continue;
      }
      const { flags } = c;
      // runs of the driver's pages: the others are not its to account for
      while (p < chunkEnd) {
        while (p < chunkEnd && (flags[p & CHUNK_MASK] & DeviceFlag.OnDevice) === 0) p++;
        const runStart = p;
        for (; p < chunkEnd && flags[p & CHUNK_MASK] & DeviceFlag.OnDevice; p++) {
          flags[p & CHUNK_MASK] = (flags[p & CHUNK_MASK] & ~DeviceFlag.OnDevice) | DeviceFlag.TakenByCpu;
        }
        if (p === runStart) continue;
        left += p - runStart;
        thrashing.recordRunAt(base + runStart, p - runStart, 'cpu', leftAt, runStart - first);
      }
    }
    if (device >= 0 && left) run.rt.pools[device].release(block, left);
    blockFirst = blockEnd;
  }
}

/**
 * Fast path of pagesLeftDevice for one page, as a move_pages call or a CPU touch of
 * one device page (a random access) reports it: the same steps with the loops left
 * out, since one page is one run of one block.
 */
function pageLeftDevice(run: DeviceRun, ctx: DeviceContext, r: Region, page: number, from: number, leftNs: number): void {
  const c = ctx.pages.peek(r.index, page);
  const i = page & CHUNK_MASK;
  if (!c || (c.flags[i] & DeviceFlag.OnDevice) === 0) return;
  c.flags[i] = (c.flags[i] & ~DeviceFlag.OnDevice) | DeviceFlag.TakenByCpu;
  const device = run.deviceOfNode[from];
  const vpn = run.vpn(r, page);
  if (device >= 0) run.rt.pools[device].release(Math.floor(vpn / run.pagesPerBlock), 1);
  run.rt.thrashing.recordEvent(vpn, 'cpu', leftNs);
}

export const driverLayer: DeviceLayerFactory = (): DeviceLayer => {
  let run: DeviceRun | null = null;
  const runOf = (ctx: DeviceContext): DeviceRun => (run ??= createRun(ctx, null));
  return {
    execute(st, ctx) {
      switch (st.kind) {
        case 'driver':
          if (run) ctx.diag(st.span, 'warning', 'policy-no-effect', 'the driver is chosen once, before the first device statement: this line has no effect');
          else run = createRun(ctx, st);
          return;
        case 'gpu':
          return gpuAccess(runOf(ctx), ctx, st);
        case 'advise':
          return advise(runOf(ctx), ctx, st);
        case 'prefetch':
        case 'migrate':
          return moveCall(runOf(ctx), ctx, st);
      }
    },
    finish(ctx) {
      reportWaste(run, ctx);
    },
    pagesLeftDevice(ctx, r, first, end, from, leftAt) {
      if (run) pagesLeftDevice(run, ctx, r, first, end, from, leftAt);
    },
  };
};
