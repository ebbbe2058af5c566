// The device layer the simulator hands `gpu`, `advise`, `prefetch`, `migrate` and
// `driver` statements to (sim/device.ts): one per simulation run, holding a
// DeviceRun made from the run's driver policy and parameters (the `driver` line,
// then the CLI's `--set`, where `driver=<policy>` picks the policy).

import { CHUNK_MASK } from '../sim/pages';
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
    pagesLeftDevice(ctx, r, first, end, from) {
      if (!run) return;
      const device = run.deviceOfNode[from];
      for (let page = first; page < end; page++) {
        const c = ctx.pages.peek(r.index, page);
        const i = page & CHUNK_MASK;
        if (!c || (c.flags[i] & DeviceFlag.OnDevice) === 0) continue; // not the driver's page
        c.flags[i] = (c.flags[i] & ~DeviceFlag.OnDevice) | DeviceFlag.TakenByCpu;
        if (device >= 0) run.rt.pools[device].release(run.blockOf(r, page), 1);
        // a migration toward the CPU, at the time it happens: what the thrashing detector counts
        run.rt.thrashing.recordEvent(run.vpn(r, page), 'cpu', ctx.now);
      }
    },
  };
};
