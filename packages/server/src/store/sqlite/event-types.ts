// Event types in SQLite: keyed by name, archived rather than deleted unless expunged. Every publish looks its event
// type up, so reads are kept in the read caches (read-caches.ts), exact as those are: dropped by every event type
// write of this process, and when data_version says another connection (the CLI, another process) committed.
import { DuplicateNameError } from '../errors.js';
import type { EventTypeListOptions, EventTypePatch, EventTypesStore, NewEventType } from '../event-types.js';
import { newEventTypeRow, patchedEventTypeRow } from '../input-rows.js';
import type { Page } from '../paging.js';
import { type EventTypeRow, toEventType } from '../rows.js';
import type { EventType } from '../types.js';
import { listPage } from './paging.js';
import { CACHED_EVENT_TYPES } from './read-caches.js';
import { type SqliteParts, uniqueViolation } from './sqlite-parts.js';

export class SqliteEventTypes implements EventTypesStore {
  constructor(private readonly parts: SqliteParts) {}

  createEventType(input: NewEventType, now: number): Promise<EventType> {
    return this.parts.write(() => {
      this.parts.caches.forget();
      const row = newEventTypeRow(input, now);
      try {
        this.parts
          .sql(
            `INSERT INTO event_types (name, description, schemas, archived, deprecated, feature_flag, group_name, created_at, updated_at)
             VALUES (@name, @description, @schemas, @archived, @deprecated, @feature_flag, @group_name, @created_at, @updated_at)`,
          )
          .run(row);
      } catch (error) {
        if (uniqueViolation(error, 'event_types.name')) throw new DuplicateNameError(row.name);
        throw error;
      }
      return toEventType(row);
    });
  }

  async getEventType(name: string): Promise<EventType | null> {
    const caches = this.parts.caches;
    caches.forgetIfChangedElsewhereThisTurn();
    const cached = caches.eventTypes.get(name);
    if (cached !== undefined) return cached;
    const row = this.parts.sql('SELECT * FROM event_types WHERE name = ?').get(name) as EventTypeRow | undefined;
    const eventType = row === undefined ? null : toEventType(row);
    // Unknown names are kept too (a publish of a type nobody created is common); the bound keeps the map small.
    if (caches.eventTypes.size >= CACHED_EVENT_TYPES) caches.eventTypes.clear();
    caches.eventTypes.set(name, eventType);
    return eventType;
  }

  async listEventTypes(options: EventTypeListOptions): Promise<Page<EventType>> {
    const result = listPage<EventTypeRow>(
      this.parts,
      `SELECT * FROM event_types WHERE (@includeArchived = 1 OR archived = 0) AND (@iterator IS NULL OR name > @iterator)
       ORDER BY name LIMIT @limit`,
      {
        includeArchived: options.includeArchived === true ? 1 : 0,
        iterator: options.iterator ?? null,
        limit: options.limit + 1,
      },
      options,
      (row) => row.name,
    );
    return { ...result, data: result.data.map(toEventType) };
  }

  updateEventType(name: string, patch: EventTypePatch, now: number): Promise<EventType | null> {
    return this.parts.write(() => {
      this.parts.caches.forget();
      const current = this.parts.sql('SELECT * FROM event_types WHERE name = ?').get(name) as EventTypeRow | undefined;
      if (current === undefined) return null;
      const next = patchedEventTypeRow(current, patch, now);
      this.parts
        .sql(
          `UPDATE event_types SET description = @description, schemas = @schemas, archived = @archived,
             deprecated = @deprecated, feature_flag = @feature_flag, group_name = @group_name, updated_at = @updated_at
           WHERE name = @name`,
        )
        .run(next);
      return toEventType(next);
    });
  }

  deleteEventType(name: string, options: { expunge: boolean }, now: number): Promise<boolean> {
    return this.parts.write(() => {
      this.parts.caches.forget();
      const statement = options.expunge
        ? this.parts.sql('DELETE FROM event_types WHERE name = @name')
        : this.parts.sql('UPDATE event_types SET archived = 1, updated_at = @now WHERE name = @name');
      return statement.run(options.expunge ? { name } : { name, now }).changes > 0;
    });
  }
}
