// Authentication and tenancy, enforced in one onRequest hook before any body is read: who is calling (the admin
// token or an API key, found by its SHA-256), and whether that caller may use this route for this application.
// A scoped key naming another application gets exactly the answer a missing application gets.
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { notFound } from '../operations/errors.js';
import type { Store } from '../store/store.js';
import { APP_PARAM, routeAccess } from './access-policy.js';
import { HttpError } from './http-error.js';

/** The caller of a request, once authenticated. */
export interface Caller {
  /** The API key's id; the admin token is ADMIN_TOKEN_CALLER_ID. */
  keyId: string;
  /** null: every application (admin). Otherwise the one application this caller may touch. */
  appId: string | null;
}

export const ADMIN_TOKEN_CALLER_ID = 'key_admin_token';

/** lastUsedAt is written at most this often per key, so auth does not add a write to every request. */
const TOUCH_INTERVAL_MS = 60_000;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on every route that is not public. */
    caller: Caller | null;
  }
}

// crypto.hash, one call without a Hash object: 1.4-2.4 us a token against 4.9-5.1 for createHash on Node 20, and
// every authenticated request hashes its token (an Idempotency-Key's request a second time, for its fingerprint).
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

export function generateAdminToken(): string {
  return `hl_admin_${randomBytes(32).toString('base64url')}`;
}

/**
 * A second check inside routes that must never serve a scoped key (listing every application): the central hook
 * already refuses it, and this keeps the route safe if the policy table is ever edited wrongly.
 */
export function requireAdmin(request: FastifyRequest): void {
  if (request.caller === null || request.caller.appId !== null) {
    throw new HttpError(403, 'forbidden', 'this route needs an admin key; this key is scoped to one application');
  }
}

export interface AuthOptions {
  store: Store;
  adminTokenSha256: string;
  now(): number;
}

export function installAuth(app: FastifyInstance, options: AuthOptions): void {
  const adminHash = Buffer.from(options.adminTokenSha256, 'hex');
  app.decorateRequest('caller', null);

  async function authenticate(request: FastifyRequest): Promise<Caller> {
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null) throw new HttpError(401, 'authentication_required', 'send Authorization: Bearer <token>');
    const presented = hash('sha256', match[1] as string, 'buffer');
    if (timingSafeEqual(presented, adminHash)) return { keyId: ADMIN_TOKEN_CALLER_ID, appId: null };
    // Looked up by hash: the lookup reveals nothing about a near miss, so no constant-time compare is needed.
    const key = await options.store.findApiKeyBySha256(presented.toString('hex'));
    if (key === null) throw new HttpError(401, 'invalid_token', 'the token is not valid');
    const now = options.now();
    if (key.lastUsedAt === null || now - key.lastUsedAt >= TOUCH_INTERVAL_MS)
      await options.store.touchApiKey(key.id, now);
    return { keyId: key.id, appId: key.appId };
  }

  /** A scoped caller reaches only its own application; any other, existing or not, is "not found". */
  async function checkApplication(request: FastifyRequest, caller: Caller): Promise<void> {
    if (caller.appId === null) return;
    const named = (request.params as Record<string, string | undefined>)[APP_PARAM];
    if (named === undefined) throw new HttpError(403, 'forbidden', 'this key is scoped to one application');
    if (named === caller.appId) return;
    const application = await options.store.getApplication(named);
    if (application === null || application.id !== caller.appId) throw notFound('application');
  }

  app.addHook('onRequest', async (request) => {
    const url = request.routeOptions.url;
    // No route matched: the caller still has to authenticate before learning which paths exist.
    if (url === undefined) {
      request.caller = await authenticate(request);
      return;
    }
    // A route the policy does not know is admin-only until someone classifies it (the isolation test insists).
    const access = routeAccess(request.method, url) ?? 'admin';
    if (access === 'public') return;
    const caller = await authenticate(request);
    request.caller = caller;
    if (access === 'admin' && caller.appId !== null) {
      throw new HttpError(403, 'forbidden', 'this route needs an admin key; this key is scoped to one application');
    }
    if (access === 'application') await checkApplication(request, caller);
  });
}
