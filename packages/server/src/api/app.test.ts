import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp } from './app.js';

const app = await createApp();
// A JSON route to post to: without a context only the health route exists.
app.post('/test/echo', async (request) => request.body);
let base = '';

beforeAll(async () => {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  base = `http://127.0.0.1:${address.port}`;
});
afterAll(() => app.close());

it('GET /api/v1/health/ answers 204 with no body', async () => {
  const response = await fetch(`${base}/api/v1/health/`);
  expect(response.status).toBe(204);
  expect(await response.text()).toBe('');
});

it('an unknown route answers 404 with a JSON {code, detail}', async () => {
  const response = await fetch(`${base}/api/v1/nope`);
  expect(response.status).toBe(404);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await response.json()).toEqual({ code: 'not_found', detail: 'no route for GET /api/v1/nope' });
});

it('a body over the 1 MiB limit answers 413 with a JSON {code, detail}, not 500', async () => {
  const response = await fetch(`${base}/api/v1/health/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 1) }),
  });
  expect(response.status).toBe(413);
  const body = (await response.json()) as { code: string; detail: string };
  expect(body.code).toBe('payload_too_large');
  // The limit itself, so the caller knows how far over it is.
  expect(body.detail).toBe('the request body is larger than the limit of 1048576 bytes (1 MiB)');
});

it('a body sent without content-type: application/json (curl -d) gets a hint saying which header to send', async () => {
  // What curl -d sends when nobody says otherwise.
  const form = await fetch(`${base}/test/echo`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: '{"name":"Acme"}',
  });
  expect(form.status).toBe(415);
  const body = (await form.json()) as { code: string; detail: string };
  expect(body.code).toBe('unsupported_media_type');
  expect(body.detail).toContain('content-type "application/x-www-form-urlencoded"');
  expect(body.detail).toContain("-H 'content-type: application/json'");
  const none = await fetch(`${base}/test/echo`, { method: 'POST', body: new Uint8Array([123, 125]) });
  expect(none.status).toBe(415);
  expect(((await none.json()) as { detail: string }).detail).toContain('no content-type');
});

it('malformed JSON answers 400 with a JSON {code, detail}', async () => {
  const response = await fetch(`${base}/api/v1/health/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"broken":',
  });
  expect(response.status).toBe(400);
  expect(await response.json()).toMatchObject({ code: 'invalid_json', detail: expect.any(String) });
});

it('a path with /api/v1 twice (a client given the server URL with /api/v1) is answered with that hint', async () => {
  const doubled = await fetch(`${base}/api/v1/api/v1/app`);
  expect(doubled.status).toBe(404);
  const body = (await doubled.json()) as { code: string; detail: string };
  expect(body.code).toBe('not_found');
  expect(body.detail).toContain('/api/v1 twice');
  expect(body.detail).toContain('without /api/v1');
  const other = (await (await fetch(`${base}/api/v1/nowhere`)).json()) as { detail: string };
  expect(other.detail).toBe('no route for GET /api/v1/nowhere');
});
