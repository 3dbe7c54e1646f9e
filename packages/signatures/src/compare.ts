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

/** More signatures than this in one header is not a rotation but an attempt to make us work. */
export const MAX_SIGNATURES_PER_HEADER = 32;
