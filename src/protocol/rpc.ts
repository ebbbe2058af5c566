// Request/response over postMessage, typed by messages.ts. The webview side keeps the
// pending promises; the host side turns an answer (or a thrown error) into one
// `response` with the request's id, so a failing request never leaves the webview waiting.

import type {
  FromWebview,
  RequestMessage,
  RequestOf,
  RequestType,
  ResponseMessage,
  Responses,
  ToWebview,
  WebviewRequest,
} from './messages';

interface Pending {
  resolve(body: unknown): void;
  reject(error: Error): void;
}

/** Webview side: `request()` posts an envelope; `handle()` settles it when the answer arrives. */
export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly post: (message: FromWebview) => void) {}

  request<T extends RequestType>(request: RequestOf<T>): Promise<Responses[T]> {
    const id = this.nextId++;
    return new Promise<Responses[T]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (body: unknown) => void, reject });
      this.post({ type: 'request', id, request });
    });
  }

  /** Returns true when the message was a response (settled or stale). */
  handle(message: ToWebview): boolean {
    if (message.type !== 'response') return false;
    const pending = this.pending.get(message.id);
    if (!pending) return true;
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message.body);
    else pending.reject(new Error(message.error));
    return true;
  }

  /** Rejects everything in flight (e.g. the run was replaced). */
  cancelAll(reason: string): void {
    for (const p of this.pending.values()) p.reject(new Error(reason));
    this.pending.clear();
  }
}

/** Host side: answers one request envelope and posts exactly one response. */
export async function respond(
  message: RequestMessage,
  answer: (request: WebviewRequest) => Promise<Responses[RequestType]> | Responses[RequestType],
  post: (response: ResponseMessage) => void,
): Promise<void> {
  let response: ResponseMessage;
  try {
    response = { type: 'response', id: message.id, ok: true, body: await answer(message.request) };
  } catch (e) {
    response = { type: 'response', id: message.id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  post(response);
}

/** The ArrayBuffers inside a response body (one level deep and in arrays), for a worker's transfer list. */
export function buffersOf(body: unknown): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (v instanceof ArrayBuffer) out.push(v);
    else if (depth > 0 && Array.isArray(v)) v.forEach((x) => visit(x, depth - 1));
    else if (depth > 0 && v !== null && typeof v === 'object') Object.values(v).forEach((x) => visit(x, depth - 1));
  };
  visit(body, 2);
  return out;
}

/** Narrows a message of unknown origin to a webview message type, to drop garbage early. */
export function isFromWebview(value: unknown): value is FromWebview {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}
