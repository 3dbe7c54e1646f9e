// The event types part of the Store: the catalogue of event names (with optional JSON Schemas), keyed by name.
import type { Page } from './paging.js';
import type { EventType } from './types.js';

export interface NewEventType {
  name: string;
  description?: string;
  schemas?: Record<string, unknown> | null;
  archived?: boolean;
  deprecated?: boolean;
  featureFlag?: string | null;
  groupName?: string | null;
}

export type EventTypePatch = Partial<Omit<NewEventType, 'name'>>;

export interface EventTypeListOptions {
  limit: number;
  /** Event types are listed by name, ascending: the iterator is the last name seen. */
  iterator?: string | null;
  /** The page before the iterator (names before it), as in ListOptions. */
  backward?: boolean;
  /** Archived types are left out unless this is true. */
  includeArchived?: boolean;
}

export interface EventTypesStore {
  /** Rejects with DuplicateNameError when the name exists (archived ones too). */
  createEventType(input: NewEventType, now: number): Promise<EventType>;
  getEventType(name: string): Promise<EventType | null>;
  listEventTypes(options: EventTypeListOptions): Promise<Page<EventType>>;
  updateEventType(name: string, patch: EventTypePatch, now: number): Promise<EventType | null>;
  /** Archives the event type, or with `expunge` removes it. False when there is no such event type. */
  deleteEventType(name: string, options: { expunge: boolean }, now: number): Promise<boolean>;
}
