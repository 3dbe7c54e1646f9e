// Applications (tenants): what an application input may say, and create, get-or-create, replace (PUT: what the
// input leaves out goes back to its default; creates when missing), patch, delete, and Svix's create-alongside
// (a publish that names the application to create).
import type { ApplicationPatch } from '../store/store.js';
import type { Application } from '../store/types.js';
import type { OperationsContext } from './context.js';
import { invalidField, notFound, refusingDuplicates } from './errors.js';
import { refuseOperationalApplication } from './operational-events.js';
import { stringMap, UID_PATTERN, uidSchema } from './schemas.js';

const rateLimit = { type: ['integer', 'null'], minimum: 1, maximum: 1_000_000 } as const;

const applicationFields = {
  name: { type: 'string', minLength: 1, maxLength: 256 },
  uid: uidSchema,
  /** Only null is accepted: see APPLICATION_RATE_REFUSED. */
  rateLimit,
  /** Svix's newer name for rateLimit. */
  throttleRate: rateLimit,
  metadata: stringMap,
} as const;

export const applicationInSchema = { type: 'object', required: ['name'], properties: applicationFields } as const;
export const applicationPatchInSchema = { type: 'object', properties: applicationFields } as const;

/** An application as callers describe it (Svix's ApplicationIn); it has passed applicationInSchema. */
export interface ApplicationInput {
  name?: string;
  uid?: string | null;
  rateLimit?: number | null;
  throttleRate?: number | null;
  metadata?: Record<string, string>;
}

/**
 * Svix's application-wide rate is refused rather than stored and ignored (issue 14): Hookline enforces rates per
 * endpoint (throttleRate, across every process on PostgreSQL), and an application-wide budget shared by its endpoints
 * is not built. Null (no limit) is what Svix's SDKs send by default and stays accepted.
 */
export const APPLICATION_RATE_REFUSED =
  'an application-wide rate is not enforced by Hookline: set throttleRate on each endpoint instead (deliveries per second, enforced per endpoint)';

/** The fields the input sets, under the store's names. */
function toPatch(input: ApplicationInput): ApplicationPatch {
  if (typeof input.uid === 'string' && input.uid.startsWith('app_')) {
    throw invalidField(['uid'], 'a uid may not start with app_ (ids do)');
  }
  const patch: ApplicationPatch = {};
  if (input.name !== undefined) patch.name = input.name;
  if (input.uid !== undefined) patch.uid = input.uid;
  for (const field of ['rateLimit', 'throttleRate'] as const) {
    const rate = input[field];
    if (rate !== undefined && rate !== null) throw invalidField([field], APPLICATION_RATE_REFUSED, 'unsupported');
  }
  if (input.throttleRate === null || input.rateLimit === null) patch.rateLimit = null;
  if (input.metadata !== undefined) patch.metadata = input.metadata;
  return patch;
}

export async function findApplication(context: OperationsContext, idOrUid: string): Promise<Application> {
  const application = await context.store.getApplication(idOrUid);
  if (application === null) throw notFound('application');
  return application;
}

/** With getIfExists, an application that already has the input's uid is answered instead (created: false). */
export async function createApplication(
  context: OperationsContext,
  input: ApplicationInput,
  options: { getIfExists?: boolean } = {},
): Promise<{ application: Application; created: boolean }> {
  const patch = toPatch(input);
  if (options.getIfExists === true && typeof input.uid === 'string') {
    const existing = await context.store.getApplication(input.uid);
    if (existing !== null) return { application: existing, created: false };
  }
  const application = await refusingDuplicates(() =>
    context.store.createApplication({ ...patch, name: input.name as string, uid: patch.uid ?? null }, context.now()),
  );
  return { application, created: true };
}

/** PUT: the input replaces the application; when there is none, it is created with the path as its uid. */
export async function replaceApplication(
  context: OperationsContext,
  idOrUid: string,
  input: ApplicationInput,
): Promise<{ application: Application; created: boolean }> {
  const patch = toPatch(input);
  const full: ApplicationPatch = {
    name: input.name as string,
    uid: patch.uid ?? null,
    rateLimit: patch.rateLimit ?? null,
    metadata: patch.metadata ?? {},
  };
  const existing = await context.store.getApplication(idOrUid);
  refuseOperationalApplication(existing);
  if (existing === null) {
    if (idOrUid.startsWith('app_')) throw notFound('application');
    const uid = full.uid ?? idOrUid;
    if (!UID_PATTERN.test(uid)) throw invalidField(['uid'], 'the uid in the path is not valid');
    const application = await refusingDuplicates(() =>
      context.store.createApplication({ ...full, name: full.name as string, uid }, context.now()),
    );
    return { application, created: true };
  }
  // Addressed by its uid and the input says none: the uid it was addressed by stays.
  if (input.uid === undefined && existing.uid === idOrUid) full.uid = existing.uid;
  const application = await refusingDuplicates(() => context.store.updateApplication(existing.id, full, context.now()));
  if (application === null) throw notFound('application');
  return { application, created: false };
}

export async function patchApplication(
  context: OperationsContext,
  idOrUid: string,
  input: ApplicationInput,
): Promise<Application> {
  const existing = await findApplication(context, idOrUid);
  refuseOperationalApplication(existing);
  const application = await refusingDuplicates(() =>
    context.store.updateApplication(existing.id, toPatch(input), context.now()),
  );
  if (application === null) throw notFound('application');
  return application;
}

export async function deleteApplication(context: OperationsContext, idOrUid: string): Promise<void> {
  const application = await findApplication(context, idOrUid);
  refuseOperationalApplication(application);
  await context.store.deleteApplication(application.id);
}

/**
 * Svix's create-alongside: a message may carry the application to create when the one it names does not exist.
 * It is created with that name as its uid (an `app_` id cannot be created); a concurrent publish may win the race,
 * and then its application is the one.
 */
export async function createApplicationAlongside(
  context: OperationsContext,
  uid: string,
  input: ApplicationInput,
): Promise<Application> {
  const patch = toPatch(input);
  if (uid.startsWith('app_') || !UID_PATTERN.test(uid)) throw notFound('application');
  if (patch.uid !== undefined && patch.uid !== null && patch.uid !== uid) {
    throw invalidField(['application', 'uid'], 'application.uid must be the uid in the path');
  }
  try {
    return await refusingDuplicates(() =>
      context.store.createApplication({ ...patch, name: input.name as string, uid }, context.now()),
    );
  } catch (error) {
    if ((error as { code?: unknown }).code === 'conflict') return findApplication(context, uid);
    throw error;
  }
}
