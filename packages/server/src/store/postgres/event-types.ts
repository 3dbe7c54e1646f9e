// Event types in PostgreSQL: keyed by name, archived rather than deleted unless expunged. Every publish reads its
// event type (payload validation), so reads are kept for a second: a change made through this process is seen
// at once, one made through another process within CACHED_EVENT_TYPE_MS.
import { DuplicateNameError } from '../errors.js';
import type { EventTypeListOptions, EventTypePatch, EventTypesStore, NewEventType } from '../event-types.js';
import { newEventTypeRow } from '../input-rows.js';
import type { Page } from '../paging.js';
import { type EventTypeRow, jsonOrNull, toEventType } from '../rows.js';
import type { EventType } from '../types.js';
import { listPage } from './paging.js';
import type { PostgresParts } from './postgres-parts.js';

/**
 * How long a read serves later reads of the same name, found or missing (publishing types nobody created is the
 * common case under the default `accept`): a change through another process is seen within this time.
 */
const CACHED_EVENT_TYPE_MS = 1000;
const CACHED_EVENT_TYPES_MAX = 10_000;

export class PostgresEventTypes implements EventTypesStore {
  private readonly cache = new Map<string, { eventType: EventType | null; readAt: number }>();

  constructor(private readonly parts: PostgresParts) {}

  /** A write drops the cached copy before and after, so a read racing with it cannot keep the old one. */
  private async writing<T>(name: string, write: () => Promise<T>): Promise<T> {
    this.cache.delete(name);
    try {
      return await write();
    } finally {
      this.cache.delete(name);
    }
  }

  createEventType(input: NewEventType, now: number): Promise<EventType> {
    return this.writing(input.name, () => this.insert(input, now));
  }

  private async insert(input: NewEventType, now: number): Promise<EventType> {
    const row = newEventTypeRow(input, now);
    try {
      await this.parts.query(
        `INSERT INTO event_types (name, description, schemas, archived, deprecated, feature_flag, group_name, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          row.name,
          row.description,
          row.schemas,
          row.archived,
          row.deprecated,
          row.feature_flag,
          row.group_name,
          now,
          now,
        ],
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new DuplicateNameError(row.name);
      throw error;
    }
    return toEventType(row);
  }

  async getEventType(name: string): Promise<EventType | null> {
    const cached = this.cache.get(name);
    if (cached !== undefined && Date.now() - cached.readAt <= CACHED_EVENT_TYPE_MS) return cached.eventType;
    const { rows } = await this.parts.query<EventTypeRow>('SELECT * FROM event_types WHERE name = $1', [name]);
    const eventType = rows[0] === undefined ? null : toEventType(rows[0]);
    if (this.cache.size >= CACHED_EVENT_TYPES_MAX) this.cache.clear();
    this.cache.set(name, { eventType, readAt: Date.now() });
    return eventType;
  }

  async listEventTypes(options: EventTypeListOptions): Promise<Page<EventType>> {
    const result = await listPage<EventTypeRow>(
      this.parts,
      `SELECT * FROM event_types WHERE ($1::boolean OR archived = 0) AND ($2::text IS NULL OR name > $2)
        ORDER BY name LIMIT $3`,
      [options.includeArchived === true, options.iterator ?? null, options.limit + 1],
      options,
      (row) => row.name,
      '$2',
    );
    return { ...result, data: result.data.map(toEventType) };
  }

  updateEventType(name: string, patch: EventTypePatch, now: number): Promise<EventType | null> {
    return this.writing(name, () => this.update(name, patch, now));
  }

  private async update(name: string, patch: EventTypePatch, now: number): Promise<EventType | null> {
    // One statement; a field absent from the patch keeps its value (a flag says "given", so null can be set).
    const { rows } = await this.parts.query<EventTypeRow>(
      `UPDATE event_types SET
         description = COALESCE($2, description),
         schemas = CASE WHEN $3::boolean THEN $4 ELSE schemas END,
         archived = COALESCE($5, archived),
         deprecated = COALESCE($6, deprecated),
         feature_flag = CASE WHEN $7::boolean THEN $8 ELSE feature_flag END,
         group_name = CASE WHEN $9::boolean THEN $10 ELSE group_name END,
         updated_at = $11
       WHERE name = $1 RETURNING *`,
      [
        name,
        patch.description ?? null,
        patch.schemas !== undefined,
        patch.schemas === undefined ? null : jsonOrNull(patch.schemas),
        patch.archived === undefined ? null : patch.archived ? 1 : 0,
        patch.deprecated === undefined ? null : patch.deprecated ? 1 : 0,
        patch.featureFlag !== undefined,
        patch.featureFlag ?? null,
        patch.groupName !== undefined,
        patch.groupName ?? null,
        now,
      ],
    );
    return rows[0] === undefined ? null : toEventType(rows[0]);
  }

  deleteEventType(name: string, options: { expunge: boolean }, now: number): Promise<boolean> {
    return this.writing(name, () => this.remove(name, options, now));
  }

  private async remove(name: string, options: { expunge: boolean }, now: number): Promise<boolean> {
    const result = options.expunge
      ? await this.parts.query('DELETE FROM event_types WHERE name = $1', [name])
      : await this.parts.query('UPDATE event_types SET archived = 1, updated_at = $2 WHERE name = $1', [name, now]);
    return (result.rowCount ?? 0) > 0;
  }
}
