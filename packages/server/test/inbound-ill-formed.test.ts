// What a source's ingest does with bodies the publish API would refuse (issue 16's classes, on issue 13's ingest),
// on each store: NUL escaped in a JSON body or percent-encoded in a form or a GET's query (PostgreSQL text cannot
// hold it: an event id with one answered 503, so the provider retried forever), a lone surrogate, 1e400, and
// nesting 5,000 deep (stored, it failed every later message list with a RangeError). Each is refused with a 4xx
// JSON under the honest policy and with the configured 200 under the always-200 one, logged as rejected, and never
// half-written (no accepted request, no message); the message list still answers. A raw NUL in a header never
// reaches the ingest: Node's parser refuses it with a 400 JSON. A NUL percent-encoded in a POST's query string is
// kept as the text it came as, and relayed.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableStores, type StoreHookline, startHooklineOn } from './support/each-store.js';
import { waitFor } from './support/receiver.js';

const TOKEN = 'gateway-token-0123456789';
const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';

interface Case {
  name: string;
  method: 'GET' | 'POST';
  query?: string;
  contentType?: string;
  body?: string;
}

const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;

const ILL_FORMED: Case[] = [
  {
    name: 'NUL escaped in the event id',
    method: 'POST',
    contentType: JSON_TYPE,
    body: '{"type":"a.b","id":"e\\u00001"}',
  },
  {
    name: 'NUL escaped in a value',
    method: 'POST',
    contentType: JSON_TYPE,
    body: '{"type":"a.b","id":"e2","x":"\\u0000"}',
  },
  {
    name: 'NUL escaped in a key',
    method: 'POST',
    contentType: JSON_TYPE,
    body: '{"type":"a.b","id":"e3","k\\u0000":1}',
  },
  { name: 'NUL in a form field', method: 'POST', contentType: FORM_TYPE, body: 'type=a.b&id=f%001' },
  { name: "NUL in a GET's query", method: 'GET', query: 'type=a.b&id=g%001' },
  { name: 'a lone surrogate', method: 'POST', contentType: JSON_TYPE, body: '{"type":"a.b","id":"s\\ud800"}' },
  { name: '1e400', method: 'POST', contentType: JSON_TYPE, body: '{"type":"a.b","id":"n1","amount":1e400}' },
  {
    name: 'nesting 5,000 deep',
    method: 'POST',
    contentType: JSON_TYPE,
    body: `{"type":"a.b","id":"d1","x":${deep(5000)}}`,
  },
];

/** One request on a raw socket (fetch refuses to send a NUL in a header); the whole answer as text. */
function rawRequest(base: string, head: string, body: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => socket.end(Buffer.from(`${head}${body}`, 'latin1')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

const stores = await availableStores();

describe.each(stores)('ill-formed input at a source on %s', (kind) => {
  let hookline: StoreHookline;

  beforeAll(async () => {
    hookline = await startHooklineOn(kind);
    await hookline.api.ok('POST', '/api/v1/app', { name: 'shop', uid: 'shop' });
    const verification = { type: 'header-token', header: 'x-gateway-token', token: TOKEN };
    await hookline.api.ok('POST', '/api/v1/app/shop/source', { uid: 'honest', name: 'honest', verification });
    await hookline.api.ok('POST', '/api/v1/app/shop/source', {
      uid: 'always',
      name: 'always',
      verification,
      response: { policy: 'acknowledge', body: 'success' },
    });
  });

  afterAll(async () => {
    await hookline?.stop();
  });

  const send = async (source: string, each: Case) => {
    const response = await fetch(
      `${hookline.server.url}/in/${source}${each.query === undefined ? '' : `?${each.query}`}`,
      {
        method: each.method,
        headers: {
          'x-gateway-token': TOKEN,
          ...(each.contentType === undefined ? {} : { 'content-type': each.contentType }),
        },
        ...(each.body === undefined ? {} : { body: each.body }),
      },
    );
    return { status: response.status, text: await response.text() };
  };
  const log = async (source: string) =>
    (
      await hookline.api.ok<{ data: Array<{ outcome: string; reason: string | null }> }>(
        'GET',
        `/api/v1/app/shop/source/${source}/request?limit=250`,
      )
    ).data;

  it('refuses each with a 4xx JSON under the honest policy, logs why, and stores no request nor message', async () => {
    const answers: Record<string, unknown> = {};
    for (const each of ILL_FORMED) {
      const { status, text } = await send('honest', each);
      const body = JSON.parse(text) as { code?: string; detail?: string };
      answers[each.name] = { status, code: body.code };
    }
    expect(answers).toEqual(
      Object.fromEntries(
        ILL_FORMED.map((each) => [
          each.name,
          {
            status: 400,
            code:
              each.method === 'GET' || each.contentType === FORM_TYPE
                ? 'HOOKLINE_RECEIVER_MALFORMED_FORM'
                : 'HOOKLINE_RECEIVER_MALFORMED_JSON',
          },
        ]),
      ),
    );
    const entries = await log('honest');
    expect(entries.map((entry) => entry.outcome)).toEqual(ILL_FORMED.map(() => 'rejected'));
    expect(entries.every((entry) => entry.reason !== null && !entry.reason.includes('\u0000'))).toBe(true);
    const messages = await hookline.api.call<{ data: unknown[] }>('GET', '/api/v1/app/shop/msg?limit=250');
    expect({ status: messages.status, count: messages.body.data.length }).toEqual({ status: 200, count: 0 });
  });

  it('answers each with the configured 200 under the always-200 policy, and keeps nothing of them', async () => {
    for (const each of ILL_FORMED) {
      expect({ name: each.name, ...(await send('always', each)) }).toEqual({
        name: each.name,
        status: 200,
        text: 'success',
      });
    }
    expect((await log('always')).map((entry) => entry.outcome)).toEqual(ILL_FORMED.map(() => 'rejected'));
    const messages = await hookline.api.call<{ data: unknown[] }>('GET', '/api/v1/app/shop/msg?limit=250');
    expect({ status: messages.status, count: messages.body.data.length }).toEqual({ status: 200, count: 0 });
  });

  it("refuses a raw NUL in a header with a 400 JSON before the ingest, and keeps a POST's %00 query as its text", async () => {
    const body = '{"type":"a.b","id":"h1"}';
    const head = [
      'POST /in/honest HTTP/1.1',
      'host: 127.0.0.1',
      `x-gateway-token: ${TOKEN}`,
      `content-type: ${JSON_TYPE}`,
      'x-odd: a\u0000b',
      `content-length: ${body.length}`,
      'connection: close',
      '',
      '',
    ].join('\r\n');
    const answer = await rawRequest(hookline.server.url, head, body);
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ code: 'bad_request' });

    const kept = await send('honest', { name: 'query', method: 'POST', query: 'x=%00', contentType: JSON_TYPE, body });
    expect(kept.status).toBe(200);
    const relayed = async () =>
      (await hookline.api.ok<{ data: Array<{ eventType: string }> }>('GET', '/api/v1/app/shop/msg')).data;
    await waitFor(async () => (await relayed()).length > 0, 'the request with %00 in its query relayed', 30_000);
    const messages = { data: await relayed() };
    expect(messages.data.map((message) => message.eventType)).toEqual(['a.b']);
  });
});
