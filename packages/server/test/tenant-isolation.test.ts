// The tenant isolation matrix. It walks EVERY route the server registered (collected by Fastify's onRoute hook),
// so routes added later are covered without editing this file: for each, a key scoped to tenant A is tried with
// tenant B's ids (application, endpoint, message, attempt; by id and by uid) and must get exactly the answer a
// missing id gets, never data. A route the access policy or this matrix cannot classify fails the run: classify
// it in src/api/access-policy.ts, and name its path parameters in PARAMS below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_PARAM, routeAccess } from '../src/api/access-policy.js';
import { type RegisteredRoute, registeredRoutes } from '../src/api/route-registry.js';
import { newId } from '../src/ids.js';
import { Api, startHookline, type TestHookline } from './support/hookline.js';
import { TestReceiver, waitFor } from './support/receiver.js';

/** Every path parameter a route may have, and which value of a tenant it takes. */
type ParamKind = 'app' | 'endpoint' | 'message' | 'attempt' | 'key' | 'eventType' | 'source';
const PARAMS: Record<string, ParamKind> = {
  [APP_PARAM]: 'app',
  endpointId: 'endpoint',
  msgId: 'message',
  attemptId: 'attempt',
  keyId: 'key',
  /** /api/v1/app/:appId/source/:sourceId, and the public /in/:sourceId */
  sourceId: 'source',
  /** /api/v1/event-type/:name */
  name: 'eventType',
};

/** Valid bodies for routes whose body is checked before the ids are looked up; every other write gets {}. */
const BODIES: Record<string, unknown> = {
  'POST /api/v1/app/:appId/msg': { eventType: 'invoice.paid', payload: { n: 1 } },
  'POST /api/v1/app/:appId/endpoint': { url: 'https://example.com/hook' },
  'PUT /api/v1/app/:appId/endpoint/:endpointId': { url: 'https://example.com/hook' },
  'PATCH /api/v1/app/:appId/endpoint/:endpointId': { description: 'patched' },
  'POST /api/v1/app/:appId/endpoint/:endpointId/recover': { since: '2000-01-01T00:00:00Z' },
  'POST /api/v1/app/:appId/endpoint/:endpointId/secret/rotate': {},
  'POST /api/v1/app/:appId/source': {
    name: 'source',
    verification: { type: 'header-token', header: 'x-token', token: 'a-token-of-16-chars-or-more' },
  },
  'PATCH /api/v1/app/:appId/source/:sourceId': { name: 'patched' },
};

/** A value naming a tenant's row, and a value of the same shape (id or uid) that names nothing. */
interface Named {
  value: string;
  missing: string;
}

interface Tenant {
  /** Each parameter kind: the values naming this tenant's row (id, and uid where there is one). */
  values: Record<ParamKind, Named[]>;
  /** Strings that appear only in this tenant's data: found in an answer to the other tenant, they are a leak. */
  marks: string[];
}

let hookline: TestHookline;
let receiver: TestReceiver;
let admin: Api;
let keyOfA: Api;
let a: Tenant;
let b: Tenant;
let routes: readonly RegisteredRoute[];

const missingId = { app: newId('app'), endpoint: newId('ep'), message: newId('msg'), attempt: newId('atmpt') };

async function makeTenant(name: string): Promise<Tenant> {
  const app = await admin.ok<{ id: string }>('POST', '/api/v1/app', { name: `tenant ${name}`, uid: `tenant-${name}` });
  const endpoint = await admin.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/endpoint`, {
    url: `${receiver.url}/hook-${name}`,
    uid: `ep-${name}`,
  });
  const message = await admin.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/msg`, {
    eventType: 'invoice.paid',
    eventId: `evt-${name}`,
    payload: { mark: `payload-of-${name}` },
  });
  let attemptId = '';
  await waitFor(async () => {
    const page = await admin.ok<{ data: Array<{ id: string }> }>(
      'GET',
      `/api/v1/app/${app.id}/attempt/msg/${message.id}`,
    );
    attemptId = page.data[0]?.id ?? '';
    return attemptId !== '';
  }, `an attempt for tenant ${name}`);
  const key = await admin.ok<{ id: string; key: string }>('POST', '/api/v1/auth/api-key', {
    name: `key of ${name}`,
    appId: app.id,
  });
  if (name === 'a') keyOfA = new Api(hookline.server.url, key.key);
  const source = await admin.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/source`, {
    uid: `src-${name}`,
    name: `source of ${name}`,
    verification: { type: 'header-token', header: 'x-token', token: `token-of-tenant-${name}-0123456789` },
  });
  return {
    values: {
      app: [
        { value: app.id, missing: missingId.app },
        { value: `tenant-${name}`, missing: 'tenant-missing' },
      ],
      endpoint: [
        { value: endpoint.id, missing: missingId.endpoint },
        { value: `ep-${name}`, missing: 'ep-missing' },
      ],
      message: [
        { value: message.id, missing: missingId.message },
        { value: `evt-${name}`, missing: 'evt-missing' },
      ],
      attempt: [{ value: attemptId, missing: missingId.attempt }],
      key: [{ value: key.id, missing: newId('key') }],
      eventType: [{ value: 'invoice.paid', missing: 'no.such.type' }],
      source: [
        { value: source.id, missing: newId('src') },
        { value: `src-${name}`, missing: 'src-missing' },
      ],
    },
    marks: [
      app.id,
      `tenant-${name}`,
      endpoint.id,
      `ep-${name}`,
      message.id,
      `evt-${name}`,
      attemptId,
      key.id,
      `hook-${name}`,
      `payload-of-${name}`,
      key.key,
      source.id,
      `src-${name}`,
      `token-of-tenant-${name}`,
    ],
  };
}

beforeAll(async () => {
  receiver = new TestReceiver();
  await receiver.start();
  hookline = await startHookline();
  admin = hookline.api;
  // The event type the read-only routes are tried with; a server without event-type routes answers 404 here.
  const eventType = await admin.call('POST', '/api/v1/event-type', { name: 'invoice.paid', description: 'paid' });
  expect([201, 404]).toContain(eventType.status);
  a = await makeTenant('a');
  b = await makeTenant('b');
  routes = registeredRoutes(hookline.server.api).filter((route) => route.method !== 'HEAD');
});

afterAll(async () => {
  await hookline?.stop();
  await receiver?.stop();
});

const paramsOf = (url: string) => [...url.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] as string);
const kindOf = (param: string) => PARAMS[param] as ParamKind;

function fill(url: string, value: (param: string) => string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, (_all, param: string) => encodeURIComponent(value(param)));
}

async function request(api: Api, route: RegisteredRoute, path: string) {
  const body =
    route.method === 'GET' || route.method === 'DELETE' ? undefined : (BODIES[`${route.method} ${route.url}`] ?? {});
  return api.call<unknown>(route.method, path, body);
}

/** Tenant marks found in an answer, except the value the request itself carried (a uid the caller chose). */
function leaks(answer: unknown, tenant: Tenant, sent = ''): string[] {
  const text = JSON.stringify(answer);
  return tenant.marks.filter((mark) => mark !== '' && mark !== sent && text.includes(mark));
}

const label = (route: RegisteredRoute) => `${route.method} ${route.url}`;
/** The first (id) value of a tenant for a parameter. */
const idOf = (tenant: Tenant, param: string) => tenant.values[kindOf(param)]?.[0]?.value ?? '';

describe('tenant isolation, every registered route', () => {
  it('every route is classified by the access policy, and every path parameter is known to this matrix', () => {
    const unclassified = routes
      .filter(
        (route) => routeAccess(route.method, route.url) === null || paramsOf(route.url).some((p) => !(p in PARAMS)),
      )
      .map(label);
    expect(unclassified).toEqual([]);
    // The registry sees the routes at all: the matrix below is not vacuously empty.
    expect(
      routes.filter((route) => routeAccess(route.method, route.url) === 'application').length,
    ).toBeGreaterThanOrEqual(12);
  });

  it("tenant B's application, by id or uid, answers a key of tenant A exactly like a missing application", async () => {
    let checked = 0;
    for (const route of routes) {
      if (routeAccess(route.method, route.url) !== 'application') continue;
      for (const named of b.values.app) {
        const pathWith = (app: string) => fill(route.url, (p) => (p === APP_PARAM ? app : idOf(b, p)));
        const missing = await request(keyOfA, route, pathWith(named.missing));
        const answer = await request(keyOfA, route, pathWith(named.value));
        const where = { route: label(route), value: named.value };
        expect({ ...where, ...missing, status: 404 }).toEqual({ ...where, ...missing });
        expect({ ...where, ...answer }).toEqual({ ...where, ...missing });
        expect(leaks(answer.body, b)).toEqual([]);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(24);
  });

  it("tenant B's endpoint, message or attempt under tenant A's application answers like a missing one", async () => {
    let compared = 0;
    for (const route of routes) {
      if (routeAccess(route.method, route.url) !== 'application') continue;
      for (const swapped of paramsOf(route.url).filter((p) => p !== APP_PARAM)) {
        const pathWith = (value: string) => fill(route.url, (p) => (p === swapped ? value : idOf(a, p)));
        for (const named of b.values[kindOf(swapped)]) {
          // Compared with a value of the same shape that names nothing: an id with a missing id, a uid with a
          // missing uid (an upsert by uid may create in A's application, and must do the same for both).
          const missing = await request(keyOfA, route, pathWith(named.missing));
          const answer = await request(keyOfA, route, pathWith(named.value));
          const where = { route: label(route), swapped, value: named.value };
          if (missing.status >= 400) {
            expect({ ...where, ...answer }).toEqual({ ...where, ...missing });
          } else {
            expect({ ...where, status: answer.status }).toEqual({ ...where, status: missing.status });
          }
          expect({ ...where, leaks: leaks(answer.body, b, named.value) }).toEqual({ ...where, leaks: [] });
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThanOrEqual(10);
  });

  it('admin routes answer 403 to a key scoped to one application, and show nothing', async () => {
    let checked = 0;
    for (const route of routes) {
      if (routeAccess(route.method, route.url) !== 'admin') continue;
      const answer = await request(
        keyOfA,
        route,
        fill(route.url, (p) => idOf(b, p)),
      );
      expect({ route: label(route), status: answer.status }).toEqual({ route: label(route), status: 403 });
      expect(answer.body).toMatchObject({ code: 'forbidden' });
      expect(leaks(answer.body, b)).toEqual([]);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });

  it("tenant A's own reads succeed and never show tenant B's ids (lists included)", async () => {
    let checked = 0;
    for (const route of routes) {
      const access = routeAccess(route.method, route.url);
      if (route.method !== 'GET' || (access !== 'application' && access !== 'read')) continue;
      const answer = await request(
        keyOfA,
        route,
        fill(route.url, (p) => idOf(a, p)),
      );
      expect({ route: label(route), status: answer.status }).toEqual({ route: label(route), status: 200 });
      expect({ route: label(route), leaks: leaks(answer.body, b) }).toEqual({ route: label(route), leaks: [] });
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });
});
