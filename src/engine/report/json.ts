// The JSON document of `memplace simulate --json` (language.md, "What the CLI
// promises"): calls, regions, metrics, expects, diagnostics — plus the machine.

import type { SimResult } from '../result';

export function currentPages(result: SimResult): Record<string, number> {
  const pages: Record<string, number> = {};
  for (const n of result.machine.nodes) pages[n.name] = 0;
  for (const r of result.regions) for (const [node, count] of Object.entries(r.resident)) pages[node] += count;
  return pages;
}

export function toJson(result: SimResult) {
  const m = result.metrics;
  return {
    file: result.file,
    machine: result.machine,
    stopped: result.stopped,
    calls: result.calls.map((c) => ({
      line: c.line,
      op: c.op,
      ret: c.ret,
      errno: c.errno,
      ...(c.status ? { status: c.status } : {}),
      reason: c.reason,
      pagesByNode: c.pagesByNode,
      ...(c.skipped ? { skipped: c.skipped } : {}),
      ...(c.policy ? { policy: c.policy } : {}),
    })),
    regions: result.regions.map((r) => ({
      name: r.name,
      start: r.start,
      bytes: r.bytes,
      pages: r.pages,
      backing: r.backing,
      mapped: r.mapped,
      resident: r.resident,
      unpopulated: r.unpopulated,
    })),
    metrics: {
      time: m.timeNs,
      pages: currentPages(result),
      faults: { cpu: m.cpuFaults, ...m.deviceFaults },
      faultBatches: m.faultBatches,
      migrations: m.migrations,
      migratedBytes: m.migratedBytes,
      migratedBytesByCause: m.migratedBytesByCause,
      evictions: m.evictions,
      remoteAccesses: m.remoteAccesses,
      peakPages: m.peakPages,
      wasted: m.wastedBytes,
      throttles: m.throttles,
      pins: m.pins,
    },
    expects: result.expects.map((e) => ({ line: e.line, pass: e.pass, message: e.message })),
    diagnostics: result.diagnostics,
  };
}
