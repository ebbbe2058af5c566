// How an event changes a page's placement. Only placement events are state deltas;
// faults, remote mappings and thrashing marks leave every page where it was.

import { EventKind, NO_NODE, ZERO_PAGE } from '../events';

/** True for the event kinds that change which node a page is on. */
export function movesPages(kind: EventKind): boolean {
  switch (kind) {
    case EventKind.Alloc:
    case EventKind.ZeroMap:
    case EventKind.Migrate:
    case EventKind.Evict:
    case EventKind.Copy:
    case EventKind.CopyDrop:
    case EventKind.Free:
      return true;
    default:
      return false;
  }
}

/** True for the kinds that moved data between nodes (charts' bytes migrated, "next migration"). */
export function copiesData(kind: EventKind): boolean {
  return kind === EventKind.Migrate || kind === EventKind.Evict || kind === EventKind.Copy;
}

/**
 * The node a page shows after the event. A page with read-mostly copies shows its
 * newest copy (`Copy` sets `to`); when copies collapse (`CopyDrop`), the page shows the
 * node that kept it, or stays as it is when the event does not name one.
 */
export function nodeAfter(kind: EventKind, to: number, current: number): number {
  switch (kind) {
    case EventKind.Alloc:
    case EventKind.Migrate:
    case EventKind.Evict:
    case EventKind.Copy:
      return to;
    case EventKind.CopyDrop:
      return to === NO_NODE ? current : to;
    case EventKind.ZeroMap:
      return ZERO_PAGE;
    case EventKind.Free:
      return NO_NODE;
    default:
      return current;
  }
}
