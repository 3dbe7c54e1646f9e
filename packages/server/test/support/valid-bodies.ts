// For the API fuzz: a body each route accepts (or nearly), so that a request with one value poisoned gets past the
// schema to the rules and the store behind it, where the values of issue 16 once did their damage.
const iso = '2026-01-01T00:00:00Z';

const application = { name: 'fuzz app', rateLimit: null, metadata: { team: 'a' } };
const endpoint = {
  url: 'http://127.0.0.1:9/never-contacted',
  description: 'fuzz',
  filterTypes: ['fuzz.typed', 'other.type'],
  channels: ['orders', 'eu'],
  throttleRate: 5,
  retrySchedule: [1, 5],
  metadata: { team: 'a' },
  headers: { 'x-team': 'a', 'x-region': 'eu' },
};
const eventTypeFields = {
  description: 'made by the fuzz',
  featureFlag: 'beta',
  groupName: 'fuzz',
  schemas: { '1': { type: 'object', properties: { n: { type: 'integer', maximum: 10 } } } },
};
const message = {
  eventType: 'fuzz.typed',
  eventId: 'evt-fuzz',
  payload: { n: 1, list: [1, 'two', { three: 3.5 }], text: 'x' },
  channels: ['orders'],
  tags: ['fuzz', 'batch'],
  deliverAt: iso,
};
const source = {
  name: 'fuzz source',
  verification: { type: 'signature', scheme: 'hmac-sha256', secrets: ['fuzz-secret'], header: 'x-sig', prefix: '' },
  identify: { typeField: 'type', typePrefix: 'in.', idField: 'id' },
  allowlist: ['127.0.0.0/8', '::1'],
  rateLimit: 1000,
  response: { policy: 'acknowledge', body: 'success', status: 200 },
  signatureMode: 'hookline',
  maxBodyBytes: 65536,
};

/** Keyed by `METHOD url` as Fastify registered the route. */
export const VALID_BODIES: Readonly<Record<string, unknown>> = {
  'POST /api/v1/app': application,
  'PUT /api/v1/app/:appId': application,
  'PATCH /api/v1/app/:appId': application,
  'POST /api/v1/event-type': { name: 'fuzz.made', ...eventTypeFields },
  'PUT /api/v1/event-type/:name': eventTypeFields,
  'PATCH /api/v1/event-type/:name': { description: 'patched', archived: false },
  'POST /api/v1/app/:appId/endpoint': endpoint,
  'PUT /api/v1/app/:appId/endpoint/:endpointId': endpoint,
  'PATCH /api/v1/app/:appId/endpoint/:endpointId': endpoint,
  'PUT /api/v1/app/:appId/endpoint/:endpointId/headers': { headers: endpoint.headers },
  'PATCH /api/v1/app/:appId/endpoint/:endpointId/headers': {
    headers: endpoint.headers,
    deleteHeaders: ['x-old'],
  },
  'POST /api/v1/app/:appId/endpoint/:endpointId/secret/rotate': { key: null },
  'POST /api/v1/app/:appId/msg': { ...message, application: { name: 'made alongside', uid: 'fuzz-alongside' } },
  'POST /api/v1/app/:appId/endpoint/:endpointId/send-example': {
    eventType: message.eventType,
    payload: message.payload,
  },
  'POST /api/v1/app/:appId/msg/batch': { messages: [message, { ...message, eventId: 'evt-fuzz-batch' }] },
  'POST /api/v1/app/:appId/endpoint/:endpointId/recover': { since: iso, until: '2030-01-01T00:00:00Z' },
  'POST /api/v1/auth/api-key': { name: 'fuzz key' },
  'POST /api/v1/auth/app-portal-access/:appId': { name: 'portal' },
  'POST /dev/receiver/:appId': { type: 'fuzz.typed', data: { n: 1 } },
  'POST /api/v1/app/:appId/source': source,
  'PATCH /api/v1/app/:appId/source/:sourceId': { ...source, uid: 'fuzz-source-patched' },
  'POST /in/:sourceId': { type: 'fuzz.typed', id: 'evt-in', data: { n: 1 } },
};

/** Query values each list route reads, valid, for poisoning one at a time. */
export const VALID_QUERY: ReadonlyArray<readonly [string, string]> = [
  ['limit', '10'],
  ['iterator', 'msg_0000000000000000000000'],
  ['before', iso],
  ['after', iso],
  ['since', iso],
  ['until', iso],
  ['event_types', 'fuzz.typed'],
  ['channel', 'orders'],
  ['tag', 'fuzz'],
  ['status', '0'],
  ['status_code_class', '200'],
  ['endpoint_id', 'ep_0000000000000000000000'],
  ['with_content', 'true'],
  ['include_archived', 'true'],
  ['window', '3600'],
  ['appId', 'app_0000000000000000000000'],
];
