// Settings in SQLite: a key-value table for what the server decides once and keeps (the admin token's hash
// generated at first start, the readiness probe's read).
import type { SettingsStore } from '../settings.js';
import type { SqliteParts } from './sqlite-parts.js';

export class SqliteSettings implements SettingsStore {
  constructor(private readonly parts: SqliteParts) {}

  async getSetting(key: string): Promise<string | null> {
    const row = this.parts.sql('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  /** True when this call set it; false when it was already set. */
  setSettingIfAbsent(key: string, value: string): Promise<boolean> {
    return this.parts.write(
      () =>
        this.parts.sql('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING').run(key, value)
          .changes > 0,
    );
  }
}
