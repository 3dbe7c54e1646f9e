// Reading a Web Request body as bytes, up to a limit. Bytes, never text(): text() decodes and drops a BOM, and
// the signature is over the bytes. The stream is cancelled at the limit instead of buffered to the end.
import { PayloadTooLargeError } from '../../errors.js';

/** A Web `Request`'s body, or any `Response`'s (the fetch-back reads its answer with this too). */
export async function readWebBody(
  request: { readonly body: ReadableStream<Uint8Array> | null },
  limitBytes: number,
): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > limitBytes) {
      await reader.cancel().catch(() => undefined);
      throw new PayloadTooLargeError(limitBytes);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const body = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
