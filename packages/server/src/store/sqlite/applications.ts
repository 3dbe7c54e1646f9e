// Applications (tenants) in SQLite: found by id or uid (cached: every publish looks one up); deleting one cascades
// to everything it owns.

import type { ApplicationPatch, ApplicationsStore, NewApplication } from '../applications.js';
import { DuplicateUidError } from '../errors.js';
import { newApplicationRow, patchedApplicationRow } from '../input-rows.js';
import { byId, type ListOptions, type Page } from '../paging.js';
import { type ApplicationRow, toApplication } from '../rows.js';
import type { Application } from '../types.js';
import { listPage } from './paging.js';
import { CACHED_APPLICATIONS } from './read-caches.js';
import { type SqliteParts, uniqueViolation } from './sqlite-parts.js';

export class SqliteApplications implements ApplicationsStore {
  constructor(private readonly parts: SqliteParts) {}

  createApplication(input: NewApplication, now: number): Promise<Application> {
    return this.parts.write(() => {
      this.parts.caches.forget();
      const row = newApplicationRow(input, now);
      try {
        this.parts
          .sql(
            'INSERT INTO applications (id, uid, name, rate_limit, metadata, created_at, updated_at) VALUES (@id, @uid, @name, @rate_limit, @metadata, @created_at, @updated_at)',
          )
          .run(row);
      } catch (error) {
        if (row.uid !== null && uniqueViolation(error, 'applications.uid')) throw new DuplicateUidError(row.uid);
        throw error;
      }
      return toApplication(row);
    });
  }

  async getApplication(idOrUid: string): Promise<Application | null> {
    const caches = this.parts.caches;
    caches.forgetIfChangedElsewhereThisTurn();
    const cached = caches.applications.get(idOrUid);
    if (cached !== undefined) return cached;
    const row = this.parts.sql('SELECT * FROM applications WHERE id = ? OR uid = ? LIMIT 1').get(idOrUid, idOrUid) as
      | ApplicationRow
      | undefined;
    if (row === undefined) return null;
    const application = toApplication(row);
    // Found ones only, so unknown names cannot grow the map; the bound keeps it small with very many applications.
    if (caches.applications.size >= CACHED_APPLICATIONS) caches.applications.clear();
    caches.applications.set(idOrUid, application);
    return application;
  }

  async listApplications(options: ListOptions): Promise<Page<Application>> {
    const result = listPage<ApplicationRow>(
      this.parts,
      'SELECT * FROM applications WHERE (@iterator IS NULL OR id < @iterator) ORDER BY id DESC LIMIT @limit',
      { iterator: options.iterator ?? null, limit: options.limit + 1 },
      options,
      byId,
    );
    return { ...result, data: result.data.map(toApplication) };
  }

  updateApplication(id: string, patch: ApplicationPatch, now: number): Promise<Application | null> {
    return this.parts.write(() => {
      this.parts.caches.forget();
      const current = this.parts.sql('SELECT * FROM applications WHERE id = ?').get(id) as ApplicationRow | undefined;
      if (current === undefined) return null;
      const next = patchedApplicationRow(current, patch, now);
      try {
        this.parts
          .sql(
            'UPDATE applications SET uid = @uid, name = @name, rate_limit = @rate_limit, metadata = @metadata, updated_at = @updated_at WHERE id = @id',
          )
          .run(next);
      } catch (error) {
        if (next.uid !== null && uniqueViolation(error, 'applications.uid')) throw new DuplicateUidError(next.uid);
        throw error;
      }
      return toApplication(next);
    });
  }

  deleteApplication(id: string): Promise<boolean> {
    return this.parts.write(() => {
      this.parts.caches.forget();
      return this.parts.sql('DELETE FROM applications WHERE id = ?').run(id).changes > 0;
    });
  }
}
