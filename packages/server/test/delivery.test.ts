// The delivery engine end to end: a real Hookline (API, engine, SQLite) delivering to real receivers on loopback.
// Retry schedules are shrunk through config; waits are bounded polls, never timing assertions.
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Api,
  appWithEndpoint,
  attemptsOf,
  publish,
  startHookline,
  type TestHookline,
} from './support/hookline.js';
import { type ReceivedRequest, TestReceiver, waitFor } from './support/receiver.js';

let receiver: TestReceiver;
let hookline: TestHookline;
let api: Api;

beforeEach(async () => {
  receiver = new TestReceiver();
  await receiver.start();
});

afterEach(async () => {
  await hookline?.stop();
  await receiver.stop();
});

async function start(
  delivery: Parameters<typeof startHookline>[0] = {},
  overrides: Parameters<typeof startHookline>[1] = {},
) {
  hookline = await startHookline(delivery, overrides);
  api = hookline.api;
}

/** Every request Hookline sends must verify with the official Standard Webhooks library. */
function verifyOfficially(request: ReceivedRequest, secret: string): unknown {
  return new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
}

describe('delivering', () => {
  it('delivers a published event as a signed POST that the official library verifies', async () => {
    await start();
    const { appId, secret } = await appWithEndpoint(api, `${receiver.url}/hook`);
    const message = await publish(api, appId, { id: 'pay_1', amount: 1000 });
    await waitFor(() => receiver.on('/hook').length === 1, 'the delivery');
    const [request] = receiver.on('/hook') as [ReceivedRequest];
    expect(request.headers['webhook-id']).toBe(message.id);
    expect(request.headers['content-type']).toBe('application/json');
    expect(verifyOfficially(request, secret)).toEqual({ id: 'pay_1', amount: 1000 });
    await waitFor(async () => (await attemptsOf(api, appId, message.id)).length === 1, 'the attempt log');
    const [attempt] = await attemptsOf(api, appId, message.id);
    expect(attempt).toMatchObject({ status: 0, triggerType: 0, responseStatusCode: 200, response: 'ok', error: null });
  });

  it('holds a message with deliverAt until that time, then delivers it; more than 24 h ahead answers 422', async () => {
    await start();
    const { appId } = await appWithEndpoint(api, `${receiver.url}/later`);
    const deliverAt = new Date(Date.now() + 1500);
    const message = await api.ok<{ id: string; deliverAt: string | null }>('POST', `/api/v1/app/${appId}/msg`, {
      eventType: 'payment.succeeded',
      payload: { n: 1 },
      deliverAt: deliverAt.toISOString(),
    });
    expect(message.deliverAt).toBe(deliverAt.toISOString());
    expect(
      (await api.ok<{ deliverAt: string | null }>('GET', `/api/v1/app/${appId}/msg/${message.id}`)).deliverAt,
    ).toBe(deliverAt.toISOString());
    await waitFor(() => receiver.on('/later').length === 1, 'the scheduled delivery');
    // Same clock on both sides: the request cannot have arrived before the time it was scheduled for.
    expect((receiver.on('/later')[0] as ReceivedRequest).at).toBeGreaterThanOrEqual(deliverAt.getTime());

    const tooFar = await api.call('POST', `/api/v1/app/${appId}/msg`, {
      eventType: 'payment.succeeded',
      payload: { n: 2 },
      deliverAt: new Date(Date.now() + 25 * 3600 * 1000).toISOString(),
    });
    expect(tooFar.status).toBe(422);
    expect(tooFar.body).toMatchObject({ code: 'validation', detail: [{ loc: ['body', 'deliverAt'] }] });
    const notADate = await api.call('POST', `/api/v1/app/${appId}/msg`, {
      eventType: 'payment.succeeded',
      payload: { n: 3 },
      deliverAt: 'tomorrow',
    });
    expect(notADate.status).toBe(422);
  });

  it('fans out to every matching endpoint and only those', async () => {
    await start();
    const { appId } = await appWithEndpoint(api, `${receiver.url}/all`);
    await api.ok('POST', `/api/v1/app/${appId}/endpoint`, {
      url: `${receiver.url}/payments`,
      eventTypes: ['payment.succeeded'],
    });
    await api.ok('POST', `/api/v1/app/${appId}/endpoint`, {
      url: `${receiver.url}/users`,
      filterTypes: ['user.created'],
    });
    await api.ok('POST', `/api/v1/app/${appId}/endpoint`, { url: `${receiver.url}/eu`, channels: ['eu'] });
    await api.ok('POST', `/api/v1/app/${appId}/endpoint`, { url: `${receiver.url}/off`, disabled: true });
    await publish(api, appId, { n: 1 }, { channels: ['eu'] });
    await publish(api, appId, { n: 2 }, { eventType: 'user.created' });
    await waitFor(() => receiver.requests.length === 5, 'five deliveries');
    const byPath = (path: string) =>
      receiver
        .on(path)
        .map((r) => (JSON.parse(r.body) as { n: number }).n)
        .sort();
    expect(byPath('/all')).toEqual([1, 2]);
    expect(byPath('/payments')).toEqual([1]);
    expect(byPath('/users')).toEqual([2]);
    expect(byPath('/eu')).toEqual([1]);
    expect(byPath('/off')).toEqual([]);
  });

  it('retries a 500 and succeeds on the next attempt, with the same webhook-id', async () => {
    await start();
    receiver.script('/flaky', (_r, n) => (n === 1 ? { status: 500, body: 'boom' } : { status: 200, body: 'fine' }));
    const { appId, secret } = await appWithEndpoint(api, `${receiver.url}/flaky`);
    const message = await publish(api, appId, { id: 'pay_2' });
    await waitFor(async () => (await attemptsOf(api, appId, message.id)).length === 2, 'two attempts');
    const attempts = await attemptsOf(api, appId, message.id);
    expect(attempts.map((a) => [a.status, a.responseStatusCode, a.response])).toEqual([
      [2, 500, 'boom'],
      [0, 200, 'fine'],
    ]);
    const [first, second] = receiver.on('/flaky') as [ReceivedRequest, ReceivedRequest];
    expect(first.headers['webhook-id']).toBe(second.headers['webhook-id']);
    for (const request of receiver.on('/flaky')) verifyOfficially(request, secret);
  });

  it('a timeout is recorded as such and retried', async () => {
    await start({ timeoutMs: 300 });
    receiver.script('/slow', (_r, n) => (n === 1 ? 'hang' : { status: 200 }));
    const { appId } = await appWithEndpoint(api, `${receiver.url}/slow`);
    const message = await publish(api, appId, { id: 'pay_3' });
    await waitFor(async () => (await attemptsOf(api, appId, message.id)).length === 2, 'two attempts');
    const [timedOut, ok] = await attemptsOf(api, appId, message.id);
    expect(timedOut).toMatchObject({ status: 2, responseStatusCode: 0 });
    expect(timedOut?.error).toMatch(/^TIMEOUT/);
    expect(ok).toMatchObject({ status: 0, responseStatusCode: 200 });
  });

  it('a refused connection is retried until the schedule is spent, then the delivery is dead', async () => {
    await start({ retrySchedule: [0.02, 0.02] });
    const closed = new TestReceiver();
    await closed.start();
    const deadUrl = `${closed.url}/gone`;
    await closed.stop();
    const { appId, endpointId } = await appWithEndpoint(api, deadUrl);
    const message = await publish(api, appId, { id: 'pay_4' });
    await waitFor(async () => (await attemptsOf(api, appId, message.id)).length === 3, 'three attempts');
    const attempts = await attemptsOf(api, appId, message.id);
    expect(attempts.every((a) => a.status === 2 && a.error?.includes('ECONNREFUSED'))).toBe(true);
    const deadLetters = () =>
      api.ok<{ data: Array<{ msgId: string; status: string; attempts: number }> }>(
        'GET',
        `/api/v1/app/${appId}/dead-letter?endpointId=${endpointId}`,
      );
    await waitFor(async () => (await deadLetters()).data.length === 1, 'the dead letter');
    expect((await deadLetters()).data[0]).toMatchObject({ msgId: message.id, status: 'dead', attempts: 3 });
  });

  it('410 Gone disables the endpoint and sends an operational webhook', async () => {
    const operational = new TestReceiver();
    await operational.start();
    try {
      await start({
        operationalWebhookUrl: `${operational.url}/ops`,
        operationalWebhookSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      });
      receiver.script('/gone', () => ({ status: 410 }));
      const { appId, endpointId } = await appWithEndpoint(api, `${receiver.url}/gone`);
      await publish(api, appId, { id: 'pay_5' });
      await waitFor(
        async () =>
          (await api.ok<{ disabled: boolean }>('GET', `/api/v1/app/${appId}/endpoint/${endpointId}`)).disabled,
        'disabled',
      );
      const endpoint = await api.ok<{ disabledReason: string }>('GET', `/api/v1/app/${appId}/endpoint/${endpointId}`);
      expect(endpoint.disabledReason).toMatch(/410/);
      // The configured operational webhook also hears endpoint.created (operational-events.test.ts tells them all).
      const disabledEvent = () =>
        operational.on('/ops').find((request) => request.body.includes('"endpoint.disabled"'));
      await waitFor(() => disabledEvent() !== undefined, 'the operational webhook');
      const event = verifyOfficially(disabledEvent() as ReceivedRequest, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw');
      expect(event).toMatchObject({ type: 'endpoint.disabled', data: { appId, endpointId, trigger: 'automatic' } });
      // Messages published while disabled wait (paused), and flow once it is enabled again.
      receiver.script('/gone', () => ({ status: 200 }));
      await publish(api, appId, { id: 'pay_6' });
      await api.ok('PATCH', `/api/v1/app/${appId}/endpoint/${endpointId}`, { disabled: false });
      await waitFor(
        () => receiver.on('/gone').filter((r) => r.body.includes('pay_5')).length === 2,
        'the parked delivery',
      );
      expect(receiver.on('/gone').some((r) => r.body.includes('pay_6'))).toBe(false);
    } finally {
      await operational.stop();
    }
  });

  it('honours Retry-After on 429: the retry does not come earlier', async () => {
    await start({ retrySchedule: [0.01, 0.01] });
    receiver.script('/limited', (_r, n) =>
      n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    const { appId } = await appWithEndpoint(api, `${receiver.url}/limited`);
    await publish(api, appId, { id: 'pay_7' });
    await waitFor(() => receiver.on('/limited').length === 2, 'the retry');
    const [first, second] = receiver.on('/limited') as [ReceivedRequest, ReceivedRequest];
    expect(second.at - first.at).toBeGreaterThanOrEqual(950);
  });

  it('does not follow a redirect: a 301 is a failed attempt and the target is never called', async () => {
    await start({ retrySchedule: [] });
    receiver.script('/moved', () => ({ status: 301, headers: { location: `${receiver.url}/elsewhere` } }));
    const { appId } = await appWithEndpoint(api, `${receiver.url}/moved`);
    const message = await publish(api, appId, { id: 'pay_8' });
    await waitFor(async () => (await attemptsOf(api, appId, message.id)).length === 1, 'the attempt');
    expect((await attemptsOf(api, appId, message.id))[0]).toMatchObject({ status: 2, responseStatusCode: 301 });
    expect(receiver.on('/elsewhere')).toHaveLength(0);
  });

  it('a status policy makes 4xx final, except 408 and 429', async () => {
    await start({ retrySchedule: [0.01, 0.01, 0.01] });
    receiver.script('/strict', () => ({ status: 422 }));
    const { appId } = await appWithEndpoint(api, `${receiver.url}/strict`, { nonRetryableStatuses: '4xx,!408,!429' });
    const message = await publish(api, appId, { id: 'pay_9' });
    await waitFor(
      async () => (await api.ok<{ data: unknown[] }>('GET', `/api/v1/app/${appId}/dead-letter`)).data.length === 1,
      'dead',
    );
    expect(await attemptsOf(api, appId, message.id)).toHaveLength(1);
  });
});

describe('secrets', () => {
  it('during a rotation both secrets sign; after the grace only the new one does', async () => {
    await start({ secretRotationGraceMs: 1500 });
    const { appId, endpointId, secret: oldSecret } = await appWithEndpoint(api, `${receiver.url}/rot`);
    await api.call('POST', `/api/v1/app/${appId}/endpoint/${endpointId}/secret/rotate`, {});
    const { key: newSecret } = await api.ok<{ key: string }>(
      'GET',
      `/api/v1/app/${appId}/endpoint/${endpointId}/secret`,
    );
    expect(newSecret).not.toBe(oldSecret);
    await publish(api, appId, { n: 1 });
    await waitFor(() => receiver.on('/rot').length === 1, 'the first delivery');
    const during = receiver.on('/rot')[0] as ReceivedRequest;
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    verifyOfficially(during, oldSecret);
    verifyOfficially(during, newSecret);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    await publish(api, appId, { n: 2 });
    await waitFor(() => receiver.on('/rot').length === 2, 'the second delivery');
    const after = receiver.on('/rot')[1] as ReceivedRequest;
    verifyOfficially(after, newSecret);
    expect(() => verifyOfficially(after, oldSecret)).toThrow();
  });

  it('svix-* header names when the endpoint asks for them', async () => {
    await start();
    const { appId, secret } = await appWithEndpoint(api, `${receiver.url}/svix`, { headerPrefix: 'svix' });
    await publish(api, appId, { n: 1 });
    await waitFor(() => receiver.on('/svix').length === 1, 'the delivery');
    const request = receiver.on('/svix')[0] as ReceivedRequest;
    expect(request.headers['svix-id']).toBeDefined();
    expect(request.headers['webhook-id']).toBeUndefined();
    const { Webhook: SvixStyle } = await import('standardwebhooks');
    const headers = {
      'webhook-id': String(request.headers['svix-id']),
      'webhook-timestamp': String(request.headers['svix-timestamp']),
      'webhook-signature': String(request.headers['svix-signature']),
    };
    expect(new SvixStyle(secret).verify(request.body, headers)).toEqual({ n: 1 });
  });
});

describe('replay', () => {
  it('recover replays dead deliveries of an endpoint since a time, as manual attempts', async () => {
    await start({ retrySchedule: [] });
    let healthy = false;
    receiver.script('/down', () => ({ status: healthy ? 200 : 503 }));
    const { appId, endpointId } = await appWithEndpoint(api, `${receiver.url}/down`);
    const since = new Date(Date.now() - 1000).toISOString();
    const messages = [await publish(api, appId, { n: 1 }), await publish(api, appId, { n: 2 })];
    await waitFor(
      async () => (await api.ok<{ data: unknown[] }>('GET', `/api/v1/app/${appId}/dead-letter`)).data.length === 2,
      'two dead',
    );
    healthy = true;
    const recovered = await api.call<{ recovered: number }>(
      'POST',
      `/api/v1/app/${appId}/endpoint/${endpointId}/recover`,
      { since },
    );
    expect(recovered).toMatchObject({ status: 202, body: { recovered: 2 } });
    for (const message of messages) {
      await waitFor(async () => (await attemptsOf(api, appId, message.id)).length === 2, 'the replay');
      const [, replay] = await attemptsOf(api, appId, message.id);
      expect(replay).toMatchObject({ status: 0, triggerType: 1 });
    }
    expect((await api.ok<{ data: unknown[] }>('GET', `/api/v1/app/${appId}/dead-letter`)).data).toHaveLength(0);
  });

  it('resend sends one message to one endpoint again, as a manual attempt', async () => {
    await start();
    const { appId, endpointId } = await appWithEndpoint(api, `${receiver.url}/again`);
    const message = await publish(api, appId, { n: 1 });
    await waitFor(() => receiver.on('/again').length === 1, 'the delivery');
    await waitFor(async () => (await attemptsOf(api, appId, message.id)).length === 1, 'the attempt');
    const resent = await api.call('POST', `/api/v1/app/${appId}/msg/${message.id}/endpoint/${endpointId}/resend`);
    expect(resent.status).toBe(202);
    await waitFor(() => receiver.on('/again').length === 2, 'the resend');
    await waitFor(async () => (await attemptsOf(api, appId, message.id)).length === 2, 'the second attempt');
    expect((await attemptsOf(api, appId, message.id)).map((a) => a.triggerType)).toEqual([0, 1]);
  });
});

describe('endpoint health and isolation', () => {
  it('the circuit opens after consecutive failures, holds deliveries without burning attempts, and closes on a good probe', async () => {
    await start({
      circuitFailureThreshold: 3,
      circuitOpenMs: 800,
      retrySchedule: [0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01],
    });
    let healthy = false;
    receiver.script('/cb', () => ({ status: healthy ? 200 : 500 }));
    const { appId, endpointId } = await appWithEndpoint(api, `${receiver.url}/cb`);
    const message = await publish(api, appId, { n: 1 });
    await waitFor(
      async () => (await hookline.server.engine.endpointGate(endpointId)).circuit === 'open',
      'open circuit',
    );
    const attemptsWhenOpened = receiver.on('/cb').length;
    expect(attemptsWhenOpened).toBe(3);
    healthy = true;
    await waitFor(() => receiver.on('/cb').length === 4, 'the probe');
    await waitFor(
      async () => (await attemptsOf(api, appId, message.id)).at(-1)?.status === 0,
      'success after the probe',
    );
    // The attempt is visible to readers at commit, a moment before the engine hears the write is durable and
    // updates the circuit: wait for it rather than read it once.
    await waitFor(
      async () => (await hookline.server.engine.endpointGate(endpointId)).circuit === 'closed',
      'the circuit to close',
    );
    expect(receiver.on('/cb')).toHaveLength(4);
  });

  it('a hanging endpoint does not slow a healthy one', async () => {
    await start({ timeoutMs: 10_000, concurrencyPerEndpoint: 4 });
    receiver.script('/hang', () => 'hang');
    const { appId } = await appWithEndpoint(api, `${receiver.url}/hang`);
    await api.ok('POST', `/api/v1/app/${appId}/endpoint`, { url: `${receiver.url}/healthy` });
    for (let i = 0; i < 100; i++) await publish(api, appId, { n: i });
    await waitFor(() => receiver.on('/healthy').length === 100, 'all 100 healthy deliveries');
    // Every hanging request is still open: the healthy endpoint got everything while its neighbour held only its
    // own slots.
    expect(receiver.on('/hang')).toHaveLength(4);
    // The last healthy sends may still be finishing when the receiver has counted them: wait for the four hanging.
    await waitFor(() => hookline.server.engine.stats().inFlight === 4, 'only the 4 hanging sends in flight');
  });

  it('throttleRate caps deliveries per second', async () => {
    await start();
    const { appId } = await appWithEndpoint(api, `${receiver.url}/slowly`, { throttleRate: 10 });
    const started = Date.now();
    for (let i = 0; i < 25; i++) await publish(api, appId, { n: i });
    await waitFor(() => receiver.on('/slowly').length === 25, 'all 25');
    // 10 at once (the bucket), then 10 per second: 25 cannot arrive before 1.5 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  });
});

describe('the API at its edges', () => {
  it('refuses endpoints on private addresses unless private networks are allowed', async () => {
    await start({}, { allowPrivateNetworks: false });
    const app = await api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'x' });
    for (const url of [
      'http://127.0.0.1:9/x',
      'http://localhost/x',
      'http://169.254.169.254/latest',
      'http://[::1]/',
      'http://2130706433/',
    ]) {
      const response = await api.call<{ code: string }>('POST', `/api/v1/app/${app.id}/endpoint`, { url });
      expect(response.status, url).toBe(422);
      expect(response.body.code, url).toBe('forbidden_address');
    }
    const ftp = await api.call<{ code: string }>('POST', `/api/v1/app/${app.id}/endpoint`, {
      url: 'ftp://example.com/',
    });
    expect(ftp.body.code).toBe('unsupported_scheme');
  });

  it('an application-wide rateLimit or throttleRate is refused 422, not stored and ignored; null is accepted', async () => {
    await start();
    for (const field of ['rateLimit', 'throttleRate']) {
      const refused = await api.call('POST', '/api/v1/app', { name: 'r', [field]: 5 });
      expect(refused.status, field).toBe(422);
      // Svix's validation shape: detail lists each bad field with its loc and message.
      expect(JSON.stringify(refused.body), field).toContain(`"${field}"`);
      expect(JSON.stringify(refused.body), field).toContain('an application-wide rate is not enforced');
    }
    const app = await api.ok<{ id: string; rateLimit: number | null }>('POST', '/api/v1/app', {
      name: 'r',
      rateLimit: null,
    });
    expect(app.rateLimit).toBeNull();
    expect((await api.call('PATCH', `/api/v1/app/${app.id}`, { throttleRate: 10 })).status).toBe(422);
    expect((await api.call('PUT', `/api/v1/app/${app.id}`, { name: 'r', rateLimit: 10 })).status).toBe(422);
    expect((await api.ok<{ rateLimit: unknown }>('GET', `/api/v1/app/${app.id}`)).rateLimit).toBeNull();
    // Nor by Svix's create-alongside: the application a publish would create with a rate is not created.
    const alongside = await api.call('POST', '/api/v1/app/made-alongside/msg', {
      eventType: 'invoice.paid',
      payload: {},
      application: { name: 'made alongside', throttleRate: 5 },
    });
    expect(alongside.status).toBe(422);
    expect((await api.call('GET', '/api/v1/app/made-alongside')).status).toBe(404);
  });

  it('with requireHttps, an http: endpoint URL is refused 422 https_required at create, PUT and PATCH', async () => {
    await start({}, { allowPrivateNetworks: false, requireHttps: true });
    const app = await api.ok<{ id: string }>('POST', '/api/v1/app', { name: 'x' });
    const plain = await api.call<{ code: string }>('POST', `/api/v1/app/${app.id}/endpoint`, {
      url: 'http://example.com/hook',
    });
    expect(plain).toMatchObject({ status: 422, body: { code: 'https_required' } });
    const endpoint = await api.ok<{ id: string }>('POST', `/api/v1/app/${app.id}/endpoint`, {
      url: 'https://example.com/hook',
    });
    const patched = await api.call('PATCH', `/api/v1/app/${app.id}/endpoint/${endpoint.id}`, {
      url: 'http://example.com/hook',
    });
    expect(patched).toMatchObject({ status: 422, body: { code: 'https_required' } });
    const put = await api.call('PUT', `/api/v1/app/${app.id}/endpoint/${endpoint.id}`, { url: 'http://example.com/x' });
    expect(put).toMatchObject({ status: 422, body: { code: 'https_required' } });
    const kept = await api.ok<{ url: string }>('GET', `/api/v1/app/${app.id}/endpoint/${endpoint.id}`);
    expect(kept.url).toBe('https://example.com/hook');
  });

  it('answers 409 to a repeated eventId, 413 to a payload over 1 MiB, 422 to a non-object payload', async () => {
    await start();
    const { appId } = await appWithEndpoint(api, `${receiver.url}/x`);
    await publish(api, appId, { n: 1 }, { eventId: 'evt-1' });
    expect(
      (await api.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'a.b', payload: {}, eventId: 'evt-1' })).status,
    ).toBe(409);
    const big = await api.call<{ code: string }>('POST', `/api/v1/app/${appId}/msg`, {
      eventType: 'a.b',
      payload: { pad: 'x'.repeat(1024 * 1024) },
    });
    expect(big).toMatchObject({ status: 413, body: { code: 'payload_too_large' } });
    for (const payload of [[1, 2], 'text', 42, null]) {
      expect((await api.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'a.b', payload })).status).toBe(422);
    }
  });

  it('requires the admin token, and 404s unknown applications the same way as other tenants', async () => {
    await start();
    const anonymous = await fetch(`${api.baseUrl}/api/v1/app`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ code: 'authentication_required' });
    expect((await api.call('GET', '/api/v1/app/app_nope')).status).toBe(404);
    expect((await fetch(`${api.baseUrl}/api/v1/health/`)).status).toBe(204);
  });
});

describe('pausing delivery', () => {
  it('while paused, events are accepted and stored but not sent; resume sends them all', async () => {
    await start();
    const { appId } = await appWithEndpoint(api, `${receiver.url}/later`);
    expect((await api.call('POST', '/api/v1/admin/delivery/pause')).status).toBe(204);
    for (let i = 0; i < 20; i++) await publish(api, appId, { n: i });
    expect(await api.ok('GET', '/api/v1/admin/delivery')).toMatchObject({ paused: true, inFlight: 0 });
    // Give a running engine every chance to send (several poll intervals): nothing may arrive while paused.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(receiver.on('/later')).toHaveLength(0);
    expect((await api.call('POST', '/api/v1/admin/delivery/resume')).status).toBe(204);
    await waitFor(() => receiver.on('/later').length === 20, 'all 20 after resume');
  });
});
