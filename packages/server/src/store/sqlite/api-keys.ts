// API keys in SQLite: one row per key, found by the SHA-256 of the key.
import { newId } from '../../ids.js';
import type { ApiKey, ApiKeyStore, NewApiKey } from '../api-keys.js';
import { byId, type ListOptions, type Page } from '../paging.js';
import { listPage } from './paging.js';
import { CACHED_API_KEYS } from './read-caches.js';
import type { SqliteParts } from './sqlite-parts.js';

interface ApiKeyRow {
  id: string;
  name: string;
  app_id: string | null;
  key_sha256: string;
  prefix: string;
  last4: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

const COLUMNS = 'id, name, app_id, prefix, last4, created_at, last_used_at';
/** Run on each authenticated request: built once, so the statement cache's lookup does not hash a new string each time. */
const ACTIVE_KEY_BY_SHA256 = `SELECT ${COLUMNS} FROM api_keys WHERE key_sha256 = ? AND revoked_at IS NULL`;

function toApiKey(row: Omit<ApiKeyRow, 'key_sha256' | 'revoked_at'>): ApiKey {
  return {
    id: row.id,
    name: row.name,
    appId: row.app_id,
    prefix: row.prefix,
    last4: row.last4,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

export class SqliteApiKeys implements ApiKeyStore {
  constructor(private readonly parts: SqliteParts) {}

  createApiKey(input: NewApiKey, now: number): Promise<ApiKey> {
    return this.parts.write(() => {
      const row: ApiKeyRow = {
        id: newId('key', now),
        name: input.name,
        app_id: input.appId,
        key_sha256: input.keySha256,
        prefix: input.prefix,
        last4: input.last4,
        created_at: now,
        last_used_at: null,
        revoked_at: null,
      };
      this.parts
        .sql(
          `INSERT INTO api_keys (id, name, app_id, key_sha256, prefix, last4, created_at, last_used_at, revoked_at)
           VALUES (@id, @name, @app_id, @key_sha256, @prefix, @last4, @created_at, @last_used_at, @revoked_at)`,
        )
        .run(row);
      return toApiKey(row);
    });
  }

  async findApiKeyBySha256(keySha256: string): Promise<ApiKey | null> {
    const { caches } = this.parts;
    caches.forgetIfChangedElsewhereThisTurn();
    const cached = caches.apiKeys.get(keySha256);
    if (cached !== undefined) return cached;
    const row = this.parts.sql(ACTIVE_KEY_BY_SHA256).get(keySha256) as ApiKeyRow | undefined;
    if (row === undefined) return null;
    const key = toApiKey(row);
    if (caches.apiKeys.size >= CACHED_API_KEYS) caches.apiKeys.clear();
    caches.apiKeys.set(keySha256, key);
    return key;
  }

  async listApiKeys(filter: { appId?: string | null }, options: ListOptions): Promise<Page<ApiKey>> {
    const result = listPage<ApiKeyRow>(
      this.parts,
      `SELECT ${COLUMNS} FROM api_keys WHERE revoked_at IS NULL
         AND (@any = 1 OR app_id IS @appId)
         AND (@iterator IS NULL OR id < @iterator) ORDER BY id DESC LIMIT @limit`,
      {
        any: filter.appId === undefined ? 1 : 0,
        appId: filter.appId ?? null,
        iterator: options.iterator ?? null,
        limit: options.limit + 1,
      },
      options,
      byId,
    );
    return { ...result, data: result.data.map(toApiKey) };
  }

  revokeApiKey(id: string, now: number): Promise<boolean> {
    return this.parts.write(() => {
      this.parts.caches.forgetApiKeys();
      return (
        this.parts.sql('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(now, id).changes >
        0
      );
    });
  }

  touchApiKey(id: string, now: number): Promise<void> {
    return this.parts.write(() => {
      // The copy's lastUsedAt would stay old, and authentication would touch the key again on every request.
      this.parts.caches.forgetApiKeys();
      this.parts
        .sql('UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)')
        .run(now, id, now);
    });
  }
}
