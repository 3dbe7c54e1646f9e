// API keys in PostgreSQL: one row per key, found by the SHA-256 of the key (never the key itself).
import { newId } from '../../ids.js';
import type { ApiKey, ApiKeyStore, NewApiKey } from '../api-keys.js';
import { byId, type ListOptions, type Page } from '../paging.js';
import { listPage } from './paging.js';
import type { PostgresParts } from './postgres-parts.js';

interface ApiKeyRow {
  id: string;
  name: string;
  app_id: string | null;
  prefix: string;
  last4: string;
  created_at: number;
  last_used_at: number | null;
}

const COLUMNS = 'id, name, app_id, prefix, last4, created_at, last_used_at';

function toApiKey(row: ApiKeyRow): ApiKey {
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

export class PostgresApiKeys implements ApiKeyStore {
  constructor(private readonly parts: PostgresParts) {}

  async createApiKey(input: NewApiKey, now: number): Promise<ApiKey> {
    const row: ApiKeyRow = {
      id: newId('key', now),
      name: input.name,
      app_id: input.appId,
      prefix: input.prefix,
      last4: input.last4,
      created_at: now,
      last_used_at: null,
    };
    await this.parts.query(
      `INSERT INTO api_keys (id, name, app_id, key_sha256, prefix, last4, created_at, last_used_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, NULL)`,
      [row.id, row.name, row.app_id, input.keySha256, row.prefix, row.last4, row.created_at],
    );
    return toApiKey(row);
  }

  async findApiKeyBySha256(keySha256: string): Promise<ApiKey | null> {
    const { rows } = await this.parts.query<ApiKeyRow>(
      `SELECT ${COLUMNS} FROM api_keys WHERE key_sha256 = $1 AND revoked_at IS NULL`,
      [keySha256],
    );
    return rows[0] === undefined ? null : toApiKey(rows[0]);
  }

  async listApiKeys(filter: { appId?: string | null }, options: ListOptions): Promise<Page<ApiKey>> {
    const result = await listPage<ApiKeyRow>(
      this.parts,
      `SELECT ${COLUMNS} FROM api_keys WHERE revoked_at IS NULL
         AND ($1::boolean OR app_id IS NOT DISTINCT FROM $2::text)
         AND ($3::text IS NULL OR id < $3) ORDER BY id DESC LIMIT $4`,
      [filter.appId === undefined, filter.appId ?? null, options.iterator ?? null, options.limit + 1],
      options,
      byId,
      '$3',
    );
    return { ...result, data: result.data.map(toApiKey) };
  }

  async revokeApiKey(id: string, now: number): Promise<boolean> {
    const result = await this.parts.query('UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL', [
      now,
      id,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async touchApiKey(id: string, now: number): Promise<void> {
    await this.parts.query(
      'UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)',
      [now, id],
    );
  }
}
