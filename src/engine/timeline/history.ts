// A page's story: every event that touched it, with names resolved, and which agents
// map it at a given step.

import { CAUSE_NAMES, EVENT_KIND_NAMES, EventKind, type Cause } from '../events';
import type { HistoryEntry, PageHistory } from '../../protocol/messages';
import { agentName, nodeName } from './names';
import type { Timeline } from './timeline';

/** Longer histories keep their oldest entries; the list says it was cut. */
export const HISTORY_CAP = 5000;

export function pageHistory(timeline: Timeline, region: number, page: number, step: number): PageHistory {
  const { result } = timeline;
  const flat = timeline.flatPage(region, page);
  if (flat < 0) throw new Error(`no page ${page} in region ${region}`);
  const events = result.events;
  const indices = events.historyOf(region, page);
  const entries: HistoryEntry[] = indices.slice(0, HISTORY_CAP).map((i) => ({
    event: i,
    step: events.step[i],
    time: events.time[i],
    kind: EVENT_KIND_NAMES[events.kind[i] as EventKind] ?? `kind${events.kind[i]}`,
    agent: agentName(result, events.agent[i]),
    from: nodeName(result, events.from[i]),
    to: nodeName(result, events.to[i]),
    cause: CAUSE_NAMES[events.cause[i] as Cause] ?? `cause${events.cause[i]}`,
    line: events.line[i],
    count: events.count[i],
  }));
  const end = timeline.endOfStep(step);
  const mappers = mappersAt(events, indices.filter((i) => i < end));
  return {
    region,
    page,
    address: result.regions[region].start + page * result.machine.pageSize,
    node: timeline.stateAt(step)[flat],
    mappedBy: [...mappers].map((a) => agentName(result, a)),
    entries,
    truncated: indices.length > HISTORY_CAP,
  };
}

/**
 * Agents mapping a page after the given events (oldest first). Placing a page
 * (allocation, zero page, migration) leaves only the placing agent mapping it, as a
 * migration unmaps every other mapper; an eviction or a free leaves none; a fault, a
 * remote mapping or a copy adds the agent; collapsing copies leaves only the writer.
 */
export function mappersAt(events: { kind: ArrayLike<number>; agent: ArrayLike<number> }, indices: readonly number[]): Set<number> {
  const mappers = new Set<number>();
  for (const i of indices) {
    const agent = events.agent[i];
    switch (events.kind[i]) {
      case EventKind.Alloc:
      case EventKind.ZeroMap:
      case EventKind.Migrate:
      case EventKind.CopyDrop:
        mappers.clear();
        mappers.add(agent);
        break;
      case EventKind.Evict:
      case EventKind.Free:
        mappers.clear();
        break;
      case EventKind.CpuFault:
      case EventKind.DeviceFault:
      case EventKind.RemoteMap:
      case EventKind.Copy:
        mappers.add(agent);
        break;
    }
  }
  return mappers;
}
