// The settings part of the Store: what the server decides once and keeps (the admin token's hash, the readiness
// probe's read).

export interface SettingsStore {
  getSetting(key: string): Promise<string | null>;
  setSettingIfAbsent(key: string, value: string): Promise<boolean>;
}
