// Reading a node request body up to a limit. Past the limit it stops reading (the stream is paused and left),
// so a 1 GB body costs at most limit + one chunk of memory; the adapter then closes the connection.
import type { Readable } from 'node:stream';
import { BodyIncompleteError, PayloadTooLargeError } from '../../errors.js';

/**
 * Reads node's IncomingMessage, or any readable stream of bytes (Fastify's payload). With `expectedBytes` (the
 * length node's parser enforces), the body is whole once that many bytes are in: it resolves then, rather than a
 * tick or two later at 'end'.
 */
export function readNodeBody(stream: Readable, limitBytes: number, expectedBytes?: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    // Once settled, the 'data', 'end' and 'error' listeners stay and do nothing: removing them cost more than the
    // few events still to come on a stream that is the request's own. 'close', which node emits after every
    // answered request, is removed, and no listener builds its error before knowing it is unsettled: an Error
    // costs ~2.7 µs to build (its stack), and one built at every request's 'close' measured 18 µs more per
    // request under load (70.3 against 51.8 µs, same run).
    let settled = false;
    const incomplete = () => {
      if (!settled) fail(new BodyIncompleteError());
    };
    const finish = () => {
      if (settled) return;
      settled = true;
      stream.removeListener('close', incomplete);
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length));
    };
    const fail = (error: Error) => {
      settled = true;
      stream.removeListener('close', incomplete);
      reject(error);
    };
    stream.on('data', (chunk: Buffer | string) => {
      if (settled) return;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      length += bytes.length;
      if (length > limitBytes) {
        stream.pause();
        fail(new PayloadTooLargeError(limitBytes));
        return;
      }
      chunks.push(bytes);
      if (length === expectedBytes) finish();
    });
    stream.on('end', finish);
    stream.on('error', incomplete);
    // 'close' before the body is whole: the client went away mid-body.
    stream.on('close', incomplete);
  });
}
