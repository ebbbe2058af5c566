// The Placement Explorer's HTML, shared by the extension host and the webview test
// harness so both load the page under the same strict CSP: nothing inline but
// nonce'd scripts/styles, nothing remote, resources only from the webview's roots.

export interface PanelHtmlOptions {
  /** `webview.cspSource` */
  cspSource: string;
  nonce: string;
  /** URI of dist/webview.js */
  scriptUri: string;
  /** URI of media/webview.css */
  styleUri: string;
  /** the tab's document title (the scenario's file name) */
  title: string;
}

export function panelHtml(o: PanelHtmlOptions): string {
  const csp = [
    "default-src 'none'",
    `img-src ${o.cspSource} data:`,
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
    `font-src ${o.cspSource}`,
    `script-src 'nonce-${o.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta property="csp-nonce" content="${escapeHtml(o.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(o.styleUri)}" nonce="${escapeHtml(o.nonce)}">
<title>${escapeHtml(o.title)}</title>
</head>
<body>
<main id="app" aria-live="polite"></main>
<script nonce="${escapeHtml(o.nonce)}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>`;
}

/** A fresh nonce for each HTML rendering (32 random alphanumerics). */
export function createNonce(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
