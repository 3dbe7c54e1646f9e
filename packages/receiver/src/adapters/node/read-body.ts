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
    const cleanup = () => {
      stream.removeListener('data', onData);
      stream.removeListener('end', onEnd);
      stream.removeListener('error', onError);
      stream.removeListener('close', onClose);
    };
    const onData = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      length += bytes.length;
      if (length > limitBytes) {
        cleanup();
        stream.pause();
        reject(new PayloadTooLargeError(limitBytes));
        return;
      }
      chunks.push(bytes);
      if (length === expectedBytes) onEnd();
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length));
    };
    const onError = () => {
      cleanup();
      reject(new BodyIncompleteError());
    };
    // 'close' before 'end': the client went away mid-body.
    const onClose = () => {
      cleanup();
      reject(new BodyIncompleteError());
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
