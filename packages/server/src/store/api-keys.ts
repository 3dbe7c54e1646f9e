// API keys as the store keeps them: only the SHA-256 of a key is stored, never the key, so a stolen database
// grants nothing. A key is an admin key (appId null: every application) or scoped to one application.
import type { ListOptions, Page } from './paging.js';

export interface ApiKey {
  id: string;
  name: string;
  /** null for an admin key; otherwise the one application this key may touch. */
  appId: string | null;
  /** The key's first characters and last four, so a person can tell keys apart without the secret. */
  prefix: string;
  last4: string;
  createdAt: number;
  /** When the key was last seen, updated at most about once a minute; null if never used. */
  lastUsedAt: number | null;
}

export interface NewApiKey {
  name: string;
  appId: string | null;
  /** SHA-256 of the whole key, hex. */
  keySha256: string;
  prefix: string;
  last4: string;
}

export interface ApiKeyStore {
  createApiKey(input: NewApiKey, now: number): Promise<ApiKey>;
  /** The live (not revoked) key with this hash, or null. */
  findApiKeyBySha256(keySha256: string): Promise<ApiKey | null>;
  /** Live keys, newest first; `appId` narrows to one application's keys, null to admin keys, absent to all. */
  listApiKeys(filter: { appId?: string | null }, options: ListOptions): Promise<Page<ApiKey>>;
  /** Revokes a live key; false when there is no such live key. A revoked key is never found again. */
  revokeApiKey(id: string, now: number): Promise<boolean>;
  /** Sets lastUsedAt (a later time only: an older `now` never moves it back). */
  touchApiKey(id: string, now: number): Promise<void>;
}
