// Applications (tenants) in PostgreSQL: found by id or uid; deleting one cascades to everything it owns.

import type { ApplicationPatch, ApplicationsStore, NewApplication } from '../applications.js';
import { DuplicateUidError } from '../errors.js';
import { newApplicationRow } from '../input-rows.js';
import { byId, type ListOptions, type Page } from '../paging.js';
import { type ApplicationRow, toApplication } from '../rows.js';
import type { Application } from '../types.js';
import { listPage } from './paging.js';
import { type PostgresParts, uniqueViolation } from './postgres-parts.js';

export class PostgresApplications implements ApplicationsStore {
  constructor(private readonly parts: PostgresParts) {}

  async createApplication(input: NewApplication, now: number): Promise<Application> {
    const row = newApplicationRow(input, now);
    try {
      await this.parts.query(
        'INSERT INTO applications (id, uid, name, rate_limit, metadata, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [row.id, row.uid, row.name, row.rate_limit, row.metadata, row.created_at, row.updated_at],
      );
    } catch (error) {
      if (row.uid !== null && uniqueViolation(error, 'applications_uid_key')) throw new DuplicateUidError(row.uid);
      throw error;
    }
    return toApplication(row);
  }

  async getApplication(idOrUid: string): Promise<Application | null> {
    const { rows } = await this.parts.query<ApplicationRow>(
      'SELECT * FROM applications WHERE id = $1 OR uid = $1 ORDER BY id = $1 DESC LIMIT 1',
      [idOrUid],
    );
    return rows[0] === undefined ? null : toApplication(rows[0]);
  }

  async listApplications(options: ListOptions): Promise<Page<Application>> {
    const result = await listPage<ApplicationRow>(
      this.parts,
      'SELECT * FROM applications WHERE ($1::text IS NULL OR id < $1) ORDER BY id DESC LIMIT $2',
      [options.iterator ?? null, options.limit + 1],
      options,
      byId,
      '$1',
    );
    return { ...result, data: result.data.map(toApplication) };
  }

  async updateApplication(id: string, patch: ApplicationPatch, now: number): Promise<Application | null> {
    // A field absent from the patch keeps its value; a flag says "given" where null is a value to set.
    try {
      const { rows } = await this.parts.query<ApplicationRow>(
        `UPDATE applications SET
           uid = CASE WHEN $2::boolean THEN $3 ELSE uid END,
           name = COALESCE($4, name),
           rate_limit = CASE WHEN $5::boolean THEN $6::int ELSE rate_limit END,
           metadata = COALESCE($7, metadata),
           updated_at = $8
         WHERE id = $1 RETURNING *`,
        [
          id,
          patch.uid !== undefined,
          patch.uid ?? null,
          patch.name ?? null,
          patch.rateLimit !== undefined,
          patch.rateLimit ?? null,
          patch.metadata === undefined ? null : JSON.stringify(patch.metadata),
          now,
        ],
      );
      return rows[0] === undefined ? null : toApplication(rows[0]);
    } catch (error) {
      if (patch.uid != null && uniqueViolation(error, 'applications_uid_key')) throw new DuplicateUidError(patch.uid);
      throw error;
    }
  }

  async deleteApplication(id: string): Promise<boolean> {
    return ((await this.parts.query('DELETE FROM applications WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }
}
