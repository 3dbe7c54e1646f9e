// Settings in PostgreSQL: a key-value table for what the server decides once and every process must share
// (the admin token's hash generated at first start, the readiness probe's read).
import type { SettingsStore } from '../settings.js';
import type { PostgresParts } from './postgres-parts.js';

export class PostgresSettings implements SettingsStore {
  constructor(private readonly parts: PostgresParts) {}

  async getSetting(key: string): Promise<string | null> {
    const { rows } = await this.parts.query<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]);
    return rows[0]?.value ?? null;
  }

  /** True when this call set it; false when some process (this or another) had already. */
  async setSettingIfAbsent(key: string, value: string): Promise<boolean> {
    const result = await this.parts.query(
      'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING',
      [key, value],
    );
    return (result.rowCount ?? 0) > 0;
  }
}
