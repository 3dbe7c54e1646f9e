import type { CryptoBackend } from './crypto/backend.js';

/**
 * True when any candidate equals `expected`. Each compare is constant-time; the loop does not stop early, so the
 * time taken says nothing about which candidate matched, or how close a forgery came.
 */
export function matchesAny(crypto: CryptoBackend, expected: Uint8Array, candidates: readonly Uint8Array[]): boolean {
  let matched = false;
  for (const candidate of candidates) {
    if (crypto.timingSafeEqual(expected, candidate)) matched = true;
  }
  return matched;
}

/**
 * `matchesAny` for encoded text (canonical base64 on both sides, so equal text is equal bytes). Every character of
 * every candidate of the expected length is compared, with no branch on what differs; only the length, which is
 * public, can end a compare early.
 */
export function matchesAnyText(expected: string, candidates: readonly string[]): boolean {
  let matched = false;
  for (const candidate of candidates) {
    if (candidate.length !== expected.length) continue;
    let difference = 0;
    for (let i = 0; i < expected.length; i++) difference |= expected.charCodeAt(i) ^ candidate.charCodeAt(i);
    if (difference === 0) matched = true;
  }
  return matched;
}

/** More signatures than this in one header is not a rotation but an attempt to make us work. */
export const MAX_SIGNATURES_PER_HEADER = 32;
