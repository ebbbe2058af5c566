// "Did a device then use what the call placed?" For each call, the device faults and
// remote mappings that later hit the pages the call allocated, moved or copied. This
// is the fact a CodeLens puts next to a placement: a prefetch that was followed by no
// fault worked; an mbind to a CPU node followed by device faults did not.

import { DEVICE_AGENT, EventKind, type EventLog } from '../engine/events';
import type { SimResult } from '../engine/result';
import { agentName } from '../engine/timeline/names';
import type { CallFollowUp } from './messages';

const PLACEMENT = new Set<number>([EventKind.Alloc, EventKind.Migrate, EventKind.Copy]);
const DEVICE_USE = new Set<number>([EventKind.DeviceFault, EventKind.RemoteMap]);

interface Span {
  call: number;
  step: number;
  first: number;
  end: number;
}

export function followUps(result: Pick<SimResult, 'calls' | 'events' | 'machine' | 'threads'>): CallFollowUp[] {
  const out: CallFollowUp[] = result.calls.map(() => ({ faults: {}, remoteMaps: {} }));
  const spansByRegion = placementSpans(result.calls.map((c) => c.step), result.events);
  if (spansByRegion.size === 0) return out;
  const ev = result.events;
  for (let i = 0; i < ev.length; i++) {
    if (!DEVICE_USE.has(ev.kind[i]) || ev.agent[i] < DEVICE_AGENT) continue;
    const spans = spansByRegion.get(ev.region[i]);
    if (!spans) continue;
    const device = agentName(result, ev.agent[i]);
    const first = ev.page[i];
    const end = first + ev.count[i];
    for (const s of spans) {
      if (ev.step[i] <= s.step) continue;
      const overlap = Math.min(end, s.end) - Math.max(first, s.first);
      if (overlap <= 0) continue;
      const into = ev.kind[i] === EventKind.DeviceFault ? out[s.call].faults : out[s.call].remoteMaps;
      into[device] = (into[device] ?? 0) + overlap;
    }
  }
  return out;
}

/** The page runs each call placed, grouped by region. Events are ordered by step. */
function placementSpans(callSteps: number[], ev: EventLog): Map<number, Span[]> {
  const callAtStep = new Map<number, number>();
  callSteps.forEach((step, call) => callAtStep.set(step, call));
  const byRegion = new Map<number, Span[]>();
  for (let i = 0; i < ev.length; i++) {
    const call = callAtStep.get(ev.step[i]);
    if (call === undefined || !PLACEMENT.has(ev.kind[i])) continue;
    const spans = byRegion.get(ev.region[i]) ?? [];
    spans.push({ call, step: ev.step[i], first: ev.page[i], end: ev.page[i] + ev.count[i] });
    byRegion.set(ev.region[i], spans);
  }
  return byRegion;
}
