// Writing a core answer to a node response. A body left unread is either small and declared (node drains it and
// the connection is reused) or possibly huge (chunked, or over the limit: the connection is closed instead, so
// nothing reads the rest of a 1 GB body).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookResponse } from '../../types.js';

export function sendNodeResponse(
  request: IncomingMessage,
  response: ServerResponse,
  answer: WebhookResponse,
  maxBodyBytes: number,
): void {
  if (response.headersSent || response.destroyed) return;
  // A flat [name, value, …] list with the length declared: node writes the head and body as one string, without
  // building or walking a header object of its own.
  const headers: string[] = [];
  for (const name in answer.headers) headers.push(name, answer.headers[name] as string);
  headers.push('content-length', String(Buffer.byteLength(answer.body)));
  if (!request.complete) {
    const declared = Number(request.headers['content-length'] ?? Number.NaN);
    if (!(declared <= maxBodyBytes)) headers.push('connection', 'close');
  }
  response.writeHead(answer.status, headers);
  response.end(answer.body);
}
