// Prefixed ids that sort by creation time (`msg_…`, `ep_…`), like Svix's: a 48-bit millisecond timestamp and
// 80 random bits, base62, fixed width. Within one process ids are strictly increasing even inside one millisecond
// (the random part is incremented), so an id cursor never skips a row inserted by this process.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 128 bits need 22 base62 digits. */
const WIDTH = 22;

export type IdPrefix = 'app' | 'ep' | 'msg' | 'atmpt' | 'dlv' | 'evt' | 'key' | 'op' | 'src' | 'inb';

let lastMs = 0;
let lastRandom = 0n;

function encode(value: bigint): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < WIDTH; i++) {
    out = ALPHABET.charAt(Number(rest % 62n)) + out;
    rest /= 62n;
  }
  return out;
}

export function newId(prefix: IdPrefix, nowMs: number = Date.now()): string {
  let random: bigint;
  if (nowMs <= lastMs) {
    random = lastRandom + 1n;
    nowMs = lastMs;
    if (random >> 80n !== 0n) {
      // The random part ran over within one millisecond: carry into the time, so order still holds.
      random = 0n;
      nowMs = lastMs + 1;
    }
  } else {
    random = BigInt(`0x${randomBytes(10).toString('hex')}`);
  }
  lastMs = nowMs;
  lastRandom = random;
  return `${prefix}_${encode((BigInt(nowMs) << 80n) | (random & ((1n << 80n) - 1n)))}`;
}

export function hasPrefix(value: string, prefix: IdPrefix): boolean {
  return value.startsWith(`${prefix}_`) && value.length === prefix.length + 1 + WIDTH;
}
