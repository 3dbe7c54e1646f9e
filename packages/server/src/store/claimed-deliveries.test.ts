import { describe, expect, it } from 'vitest';
import { ClaimedDeliveries } from './claimed-deliveries.js';
import type { DeliveryRow, EndpointRow, MessageRow } from './rows.js';
import { SecretBox } from './secret-box.js';
import type { SecretRow } from './secrets.js';

const NOW = 1_900_000_000_000;
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const endpointRow = (id: string, overrides: Partial<EndpointRow> = {}): EndpointRow => ({
  id,
  app_id: 'app_1',
  uid: null,
  url: `https://receiver.example.com/${id}`,
  sealed_url: null,
  description: '',
  event_types: null,
  channels: null,
  disabled: 0,
  disabled_reason: null,
  throttle_rate: null,
  header_prefix: 'webhook',
  signature_scheme: 'standard-webhooks',
  payload_format: 'json',
  ordering: 'none',
  ordering_on_dead: 'skip',
  payload_filter: null,
  retry_schedule: null,
  non_retryable_statuses: null,
  metadata: '{}',
  headers: '{"x-team":"billing"}',
  failing_since: null,
  created_at: NOW,
  updated_at: NOW,
  ...overrides,
});

const messageRow = (id: string, overrides: Partial<MessageRow> = {}): MessageRow => ({
  id,
  app_id: 'app_1',
  event_type: 'invoice.paid',
  event_id: null,
  payload: '{"n":1}',
  channels: null,
  created_at: NOW,
  deliver_at: null,
  tags: null,
  ordering_key: null,
  payload_pruned_at: null,
  ...overrides,
});

const deliveryRow = (id: string, messageId: string, endpointId: string): DeliveryRow => ({
  id,
  message_id: messageId,
  endpoint_id: endpointId,
  app_id: 'app_1',
  status: 'sending',
  ordering_key: null,
  ordering_seq: null,
  attempts: 0,
  next_attempt_at: NOW,
  lease_until: NOW + 30_000,
  manual: 0,
  last_error: null,
  last_status_code: null,
  created_at: NOW,
  updated_at: NOW,
});

/** The secrets reader, counting what it is asked for. */
function secretsOf(rows: readonly SecretRow[]) {
  const asked: string[] = [];
  return {
    asked,
    read: (endpointId: string) => {
      asked.push(endpointId);
      return rows;
    },
  };
}

describe('ClaimedDeliveries', () => {
  it('maps each endpoint once per claim: its deliveries share the endpoint and its secrets, read once', () => {
    const mapper = new ClaimedDeliveries(NOW, new SecretBox());
    const secrets = secretsOf([{ secret: SECRET, expires_at: null }]);
    const [a, b, c] = [
      mapper.map(deliveryRow('dlv_1', 'msg_1', 'ep_1'), messageRow('msg_1'), endpointRow('ep_1'), secrets.read),
      mapper.map(deliveryRow('dlv_2', 'msg_2', 'ep_1'), messageRow('msg_2'), endpointRow('ep_1'), secrets.read),
      mapper.map(deliveryRow('dlv_3', 'msg_3', 'ep_2'), messageRow('msg_3'), endpointRow('ep_2'), secrets.read),
    ];
    expect(secrets.asked).toEqual(['ep_1', 'ep_2']);
    expect(b?.endpoint).toBe(a?.endpoint);
    expect(b?.secrets).toBe(a?.secrets);
    expect(a?.endpoint).toMatchObject({ id: 'ep_1', headers: { 'x-team': 'billing' } });
    expect(c?.endpoint).toMatchObject({ id: 'ep_2', url: 'https://receiver.example.com/ep_2' });
    expect(a?.secrets).toEqual([{ secret: SECRET, expiresAt: null }]);
    expect([a?.delivery.id, b?.delivery.id, c?.delivery.id]).toEqual(['dlv_1', 'dlv_2', 'dlv_3']);
    expect([a?.message.id, b?.message.id, c?.message.id]).toEqual(['msg_1', 'msg_2', 'msg_3']);
    for (const claimed of [a, b, c]) expect(claimed?.problem).toBeUndefined();
  });

  it("carries an endpoint's unreadable values on each of its deliveries, and a message's on its own only", () => {
    const mapper = new ClaimedDeliveries(NOW, new SecretBox());
    const secrets = secretsOf([]);
    const broken = endpointRow('ep_1', { metadata: '{not json' });
    const first = mapper.map(
      deliveryRow('dlv_1', 'msg_1', 'ep_1'),
      messageRow('msg_1', { channels: '[oops' }),
      broken,
      secrets.read,
    );
    const second = mapper.map(deliveryRow('dlv_2', 'msg_2', 'ep_1'), messageRow('msg_2'), broken, secrets.read);
    expect(first.problem).toBe(
      'stored values cannot be read: messages.channels is not valid JSON; endpoints.metadata is not valid JSON',
    );
    expect(second.problem).toBe('stored values cannot be read: endpoints.metadata is not valid JSON');
    expect(first.endpoint.metadata).toEqual({});
  });

  it('fails a delivery whose payload retention removed, whatever else it carries', () => {
    const mapper = new ClaimedDeliveries(NOW, new SecretBox());
    const claimed = mapper.map(
      deliveryRow('dlv_1', 'msg_1', 'ep_1'),
      messageRow('msg_1', { payload: '', payload_pruned_at: NOW - 1 }),
      endpointRow('ep_1'),
      secretsOf([]).read,
    );
    expect(claimed.problem).toMatch(/payload_expired/);
  });

  it('leaves out secrets expired at the claim time', () => {
    const mapper = new ClaimedDeliveries(NOW, new SecretBox());
    const claimed = mapper.map(
      deliveryRow('dlv_1', 'msg_1', 'ep_1'),
      messageRow('msg_1'),
      endpointRow('ep_1'),
      secretsOf([
        { secret: 'whsec_old', expires_at: NOW },
        { secret: SECRET, expires_at: null },
      ]).read,
    );
    expect(claimed.secrets).toEqual([{ secret: SECRET, expiresAt: null }]);
  });
});
