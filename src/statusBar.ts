// The status bar item: the headline of the active scenario's latest run (faults,
// migrations, simulated time). Clicking it opens the Placement Explorer.

import * as vscode from 'vscode';
import { statusText, statusTooltip } from './language/format';
import type { DocumentRuns } from './worker/documentRuns';

export function registerStatusBar(runs: DocumentRuns): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('memplace.status', vscode.StatusBarAlignment.Left, 10);
  item.name = 'memplace';
  item.command = 'memplace.openPanel';

  const update = () => {
    const document = vscode.window.activeTextEditor?.document;
    if (!document || !runs.simulates(document)) return item.hide();
    const run = runs.latest(document.uri);
    const busy = runs.isBusy(document.uri);
    if (run) {
      item.text = statusText(run.summary.run.metrics) + (busy ? ' $(sync~spin)' : '');
      item.tooltip = statusTooltip(run.summary.run.metrics);
    } else if (busy) {
      item.text = '$(pulse) memplace: simulating…';
      item.tooltip = undefined;
    } else return item.hide();
    item.show();
  };

  update();
  return vscode.Disposable.from(
    item,
    vscode.window.onDidChangeActiveTextEditor(update),
    runs.onDidRun(update),
    runs.onDidChangeBusy(update),
    runs.onDidForget(update),
  );
}
