// HMAC-SHA256 (RFC 2104) on node from its two padded keys and two one-shot `crypto.hash` calls, for the short
// messages webhooks sign. `createHmac` per message costs more than the hashing on a ~300-byte message: it builds
// a native object per call (with a weak handle the garbage collector must process) and looks the digest up in
// OpenSSL on each init. The pads are made once per key; longer messages take `createHmac`, with no copy.
import { createHmac, createSecretKey, hash, type KeyObject } from 'node:crypto';
import type { MessagePart } from './backend.js';

const BLOCK_BYTES = 64;
const DIGEST_BYTES = 32;
/** Messages up to this many bytes are copied after the inner pad into one buffer; longer ones stream. */
const COPIED_MESSAGE_MAX_BYTES = 16 * 1024;

export interface NodeHmacKey {
  readonly keyObject: KeyObject;
  /** key XOR 0x36, one block: what the inner hash starts with. */
  readonly innerPad: Buffer;
  /** key XOR 0x5c, one block, then room for the inner digest: the whole outer hash input. */
  readonly outer: Buffer;
}

export function importNodeHmacKey(raw: Uint8Array): NodeHmacKey {
  // A key longer than the block is hashed first, as RFC 2104 says; a shorter one is padded with zeros.
  const key = raw.length > BLOCK_BYTES ? hash('sha256', raw, 'buffer') : raw;
  const innerPad = Buffer.alloc(BLOCK_BYTES, 0x36);
  const outer = Buffer.alloc(BLOCK_BYTES + DIGEST_BYTES);
  outer.fill(0x5c, 0, BLOCK_BYTES);
  for (let i = 0; i < key.length; i++) {
    innerPad[i] = (innerPad[i] as number) ^ (key[i] as number);
    outer[i] = (outer[i] as number) ^ (key[i] as number);
  }
  return { keyObject: createSecretKey(raw), innerPad, outer };
}

// One buffer for every inner-hash input: HMACs here run synchronously, one at a time, on the one JS thread.
const scratch = Buffer.allocUnsafeSlow(BLOCK_BYTES + COPIED_MESSAGE_MAX_BYTES);

function messageBytes(message: readonly MessagePart[]): number {
  let length = 0;
  for (const part of message) length += typeof part === 'string' ? Buffer.byteLength(part) : part.byteLength;
  return length;
}

export function nodeHmacSha256(key: NodeHmacKey, message: readonly MessagePart[]): Buffer {
  const length = messageBytes(message);
  if (length > COPIED_MESSAGE_MAX_BYTES) {
    const hmac = createHmac('sha256', key.keyObject);
    for (const part of message) hmac.update(part);
    return hmac.digest();
  }
  key.innerPad.copy(scratch, 0);
  let offset = BLOCK_BYTES;
  for (const part of message) {
    if (typeof part === 'string') offset += scratch.write(part, offset, 'utf8');
    else {
      scratch.set(part, offset);
      offset += part.byteLength;
    }
  }
  const inner = hash('sha256', scratch.subarray(0, offset), 'buffer');
  // The outer input is per key: written and hashed at once, so nothing else writes it in between.
  inner.copy(key.outer, BLOCK_BYTES);
  return hash('sha256', key.outer, 'buffer');
}
