// Answers the webview's questions about a run from its timeline. The worker that holds
// the run calls this for every request except `compare`, which needs new runs.

import { NO_NODE, ZERO_PAGE } from '../events';
import type { Residency, Responses, Series, WebviewRequest } from '../../protocol/messages';
import { pageHistory } from './history';
import { aggregate, tallyPages } from './lod';
import type { Timeline } from './timeline';

type TimelineRequest = Exclude<WebviewRequest, { type: 'compare' }>;

export function answer(timeline: Timeline, request: TimelineRequest): Responses[TimelineRequest['type']] {
  switch (request.type) {
    case 'requestResidency':
      return residency(timeline, request.step, request.lod, request.firstCell, request.cellCount);
    case 'requestHistory':
      return pageHistory(timeline, request.region, request.page, request.step);
    case 'requestSeries':
      return series(timeline);
    case 'requestMigrationStep':
      return { step: timeline.migrationStep(request.step, request.direction) };
  }
}

export function residency(timeline: Timeline, step: number, lod: number, firstCell = 0, cellCount = Infinity): Residency {
  const safeLod = Math.max(0, Math.min(40, Math.floor(lod) || 0));
  const state = timeline.stateAt(step);
  const agg = aggregate(state, timeline.regionPages, safeLod, firstCell, cellCount);
  const counts = tallyPages(state);
  const nodes = timeline.result.machine.nodes.length;
  return {
    step: Math.max(0, Math.min(step, timeline.stepCount - 1)),
    lod: safeLod,
    totalCells: agg.cellOffsets[agg.cellOffsets.length - 1],
    regionCells: agg.cellOffsets.slice(0, -1),
    firstCell: agg.firstCell,
    cells: agg.cells.buffer,
    mixed: agg.mixed.buffer,
    pagesPerNode: Array.from(counts.subarray(0, nodes)),
    unpopulated: counts[NO_NODE],
    zeroPages: counts[ZERO_PAGE],
  };
}

/** The series as fresh buffers (the timeline keeps its own; buffers may be transferred). */
export function series(timeline: Timeline): Series {
  const s = timeline.series;
  return {
    times: timeline.result.steps.time.slice(0, timeline.stepCount).buffer,
    residentPerNode: s.residentPerNode.map((a) => a.slice().buffer),
    faults: s.faults.slice().buffer,
    bytesMigrated: s.bytesMigrated.slice().buffer,
  };
}
