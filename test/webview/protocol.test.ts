import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeHtml, panelHtml } from '../../src/protocol/html';
import type { FromWebview, ResponseMessage, ToWebview } from '../../src/protocol/messages';
import { buffersOf, respond, RpcClient } from '../../src/protocol/rpc';

test('a request is answered through the envelope with its id, errors included', async () => {
  const sent: FromWebview[] = [];
  const client = new RpcClient((m) => sent.push(m));
  const ok = client.request<'requestMigrationStep'>({ type: 'requestMigrationStep', step: 3, direction: 1 });
  const bad = client.request<'requestSeries'>({ type: 'requestSeries' });
  assert.deepEqual(sent.map((m) => m.type === 'request' && m.id), [1, 2]);
  const replies: ResponseMessage[] = [];
  for (const m of sent) {
    if (m.type !== 'request') continue;
    await respond(
      m,
      (r) => {
        if (r.type === 'requestSeries') throw new Error('no run yet');
        return { step: 7 };
      },
      (r) => replies.push(r),
    );
  }
  // answers may arrive in any order
  for (const r of replies.reverse()) assert.equal(client.handle(r), true);
  assert.deepEqual(await ok, { step: 7 });
  await assert.rejects(bad, /no run yet/);
  assert.equal(client.handle({ type: 'stepTo', step: 1 } as ToWebview), false);
});

test('buffersOf finds the ArrayBuffers a response carries, for a transfer list', () => {
  const a = new ArrayBuffer(4);
  const b = new ArrayBuffer(8);
  assert.deepEqual(buffersOf({ cells: a, list: [b], n: 1, s: 'x' }), [a, b]);
});

test('the panel HTML has the strict CSP, the nonce everywhere and escaped text', () => {
  const html = panelHtml({ cspSource: 'https://x.vscode-cdn.net', nonce: 'N0nce', scriptUri: 'https://x/a.js?"', styleUri: 'https://x/s.css', title: '<img src=x onerror=alert(1)>' });
  assert.ok(html.includes(`content="default-src 'none'; img-src https://x.vscode-cdn.net data:; style-src https://x.vscode-cdn.net 'nonce-N0nce'; font-src https://x.vscode-cdn.net; script-src 'nonce-N0nce'"`.replace(/'/g, '&#39;')));
  assert.ok(html.includes('<meta property="csp-nonce" content="N0nce">'));
  assert.ok(html.includes('<script nonce="N0nce" src="https://x/a.js?&#34;"></script>'));
  assert.ok(!html.includes('<img'));
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
});
