// The recent-events log: a fixed-size ring of what happened to each verified event. Only verified events are
// recorded, so an unauthenticated client cannot flush it with junk. It holds no payloads.

export type EventStatus =
  | 'processing'
  | 'handled'
  | 'duplicate'
  | 'unhandled'
  | 'invalid'
  | 'rejected'
  | 'failed'
  | 'queued'
  | 'retrying'
  | 'dead';

export interface EventLogEntry {
  id: string | undefined;
  type: string;
  status: EventStatus;
  /** ms since the epoch */
  receivedAt: number;
  /** ms since the epoch, of the last status change */
  updatedAt: number;
  /** The handler's or check's error message, truncated. */
  error?: string;
}

const MAX_ERROR_LENGTH = 500;

export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

export class EventLog {
  readonly #entries: EventLogEntry[] = [];
  readonly #size: number;
  #next = 0;

  constructor(size: number) {
    this.#size = Math.max(0, Math.floor(size));
  }

  /** Records an entry and returns it; later status changes mutate the same entry. */
  add(entry: EventLogEntry): EventLogEntry {
    if (this.#size === 0) return entry;
    if (this.#entries.length < this.#size) this.#entries.push(entry);
    else this.#entries[this.#next] = entry;
    this.#next = (this.#next + 1) % this.#size;
    return entry;
  }

  /** The newest entry for an id, to update it (the inbox worker reports outcomes by id). */
  find(id: string): EventLogEntry | undefined {
    for (let i = 1; i <= this.#entries.length; i++) {
      const entry = this.#entries[(this.#next - i + this.#entries.length) % this.#entries.length];
      if (entry?.id === id) return entry;
    }
    return undefined;
  }

  /** Newest first, copies. */
  recent(limit = this.#size): EventLogEntry[] {
    const count = Math.min(Math.max(0, Math.floor(limit)), this.#entries.length);
    const out: EventLogEntry[] = [];
    for (let i = 1; i <= count; i++) {
      const index = (this.#next - i + this.#entries.length) % this.#entries.length;
      const entry = this.#entries[index];
      if (entry !== undefined) out.push({ ...entry });
    }
    return out;
  }
}

export function setStatus(entry: EventLogEntry, status: EventStatus, now: number, error?: unknown): void {
  entry.status = status;
  entry.updatedAt = now;
  // `delete` only where there is an error to drop: deleting, even an absent field, is a runtime call per event.
  if (error !== undefined) entry.error = errorText(error);
  else if (entry.error !== undefined) delete entry.error;
}
