// The applications part of the Store: tenants, found by id or uid; deleting one removes everything it owns.
import type { ListOptions, Page } from './paging.js';
import type { Application } from './types.js';

export interface NewApplication {
  uid?: string | null;
  name: string;
  rateLimit?: number | null;
  metadata?: Record<string, string>;
}

export type ApplicationPatch = Partial<NewApplication>;

export interface ApplicationsStore {
  createApplication(input: NewApplication, now: number): Promise<Application>;
  getApplication(idOrUid: string): Promise<Application | null>;
  listApplications(options: ListOptions): Promise<Page<Application>>;
  /** Changes only the fields the patch has; null when there is no such application. */
  updateApplication(id: string, patch: ApplicationPatch, now: number): Promise<Application | null>;
  deleteApplication(id: string): Promise<boolean>;
}
