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
type ParamKind = 'app' | 'endpoint' | 'message' | 'attempt' | 'key' | 'eventType';
const PARAMS: Record<string, ParamKind> = {
  [APP_PARAM]: 'app',
  endpointId: 'endpoint',
  msgId: 'message',
  attemptId: 'attempt',
  keyId: 'key',
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
};

interface Tenant {
  /** Each parameter kind: the values naming this tenant's row (id, and uid where there is one). */
  values: Record<ParamKind, string[]>;
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

const MISSING: Record<ParamKind, string> = {
  app: newId('app'),
  endpoint: newId('ep'),
  message: newId('msg'),
  attempt: newId('atmpt'),
  key: newId('key'),
  eventType: 'no.such.type',
};

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
  return {
    values: {
      app: [app.id, `tenant-${name}`],
      endpoint: [endpoint.id, `ep-${name}`],
      message: [message.id, `evt-${name}`],
      attempt: [attemptId],
      key: [key.id],
      eventType: ['invoice.paid'],
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
    ],
  };
}

beforeAll(async () => {
  receiver = new TestReceiver();
  await receiver.start();
  hookline = await startHookline();
  admin = hookline.api;
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

function leaks(answer: unknown, tenant: Tenant): string[] {
  const text = JSON.stringify(answer);
  return tenant.marks.filter((mark) => mark !== '' && text.includes(mark));
}

const label = (route: RegisteredRoute) => `${route.method} ${route.url}`;

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
    const checked: string[] = [];
    for (const route of routes) {
      if (routeAccess(route.method, route.url) !== 'application') continue;
      const missing = await request(
        keyOfA,
        route,
        fill(route.url, (p) => (p === APP_PARAM ? MISSING.app : (b.values[kindOf(p)]?.[0] ?? ''))),
      );
      expect({ route: label(route), status: missing.status }).toEqual({ route: label(route), status: 404 });
      for (const appValue of b.values.app) {
        const path = fill(route.url, (p) => (p === APP_PARAM ? appValue : (b.values[kindOf(p)]?.[0] ?? '')));
        const answer = await request(keyOfA, route, path);
        expect({ route: label(route), path, ...answer }).toEqual({ route: label(route), path, ...missing });
        expect(leaks(answer.body, b)).toEqual([]);
      }
      checked.push(label(route));
    }
    expect(checked.length).toBeGreaterThanOrEqual(12);
  });

  it("tenant B's endpoint, message or attempt under tenant A's application answers like a missing one", async () => {
    let compared = 0;
    for (const route of routes) {
      if (routeAccess(route.method, route.url) !== 'application') continue;
      const subParams = paramsOf(route.url).filter((p) => p !== APP_PARAM);
      for (const swapped of subParams) {
        const kind = kindOf(swapped);
        const pathWith = (value: string) =>
          fill(route.url, (p) => (p === swapped ? value : (a.values[kindOf(p)]?.[0] ?? '')));
        const missing = await request(keyOfA, route, pathWith(MISSING[kind]));
        expect({ route: label(route), swapped, tooLow: missing.status < 400 }).toEqual({
          route: label(route),
          swapped,
          tooLow: false,
        });
        for (const value of b.values[kind]) {
          const answer = await request(keyOfA, route, pathWith(value));
          expect({ route: label(route), swapped, value, ...answer }).toEqual({
            route: label(route),
            swapped,
            value,
            ...missing,
          });
          expect(leaks(answer.body, b)).toEqual([]);
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
        fill(route.url, (p) => b.values[kindOf(p)]?.[0] ?? ''),
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
        fill(route.url, (p) => a.values[kindOf(p)]?.[0] ?? ''),
      );
      expect({ route: label(route), status: answer.status }).toEqual({ route: label(route), status: 200 });
      expect({ route: label(route), leaks: leaks(answer.body, b) }).toEqual({ route: label(route), leaks: [] });
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });
});
