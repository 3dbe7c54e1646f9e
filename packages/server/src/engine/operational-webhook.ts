// Operational events (an endpoint was disabled) POSTed to the operator's own URL, signed with Standard Webhooks,
// in the shape Svix uses for its operational webhooks. Best effort with a few quick retries: the event is also
// kept in the store's operational_events table, which is the record.
import { standardWebhooks } from '@hookline/signatures';
import { newId } from '../ids.js';
import type { EngineLogger } from './delivery-engine.js';
import type { SendDispatcher } from './lazy-dispatcher.js';
import { sendWebhook } from './sender.js';

export interface OperationalWebhookOptions {
  url: string;
  secret: string;
  dispatcher: SendDispatcher;
  timeoutMs: number;
  logger: EngineLogger;
  /** Delays before each retry; bounded, so a dead operator URL costs little. */
  retryDelaysMs?: readonly number[];
}

export class OperationalWebhook {
  constructor(private readonly options: OperationalWebhookOptions) {}

  endpointDisabled(event: { appId: string; endpointId: string; reason: string; at: number }): void {
    const body = JSON.stringify({
      type: 'endpoint.disabled',
      timestamp: new Date(event.at).toISOString(),
      data: {
        appId: event.appId,
        endpointId: event.endpointId,
        reason: event.reason,
        failSince: new Date(event.at).toISOString(),
      },
    });
    void this.post(body);
  }

  private async post(body: string): Promise<void> {
    const id = newId('op');
    const delays = this.options.retryDelaysMs ?? [1000, 5000, 30000];
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      const headers = await standardWebhooks.sign({ id, body, secret: this.options.secret });
      const result = await sendWebhook(this.options.dispatcher, {
        url: this.options.url,
        headers: { ...headers, 'content-type': 'application/json' },
        body,
        timeoutMs: this.options.timeoutMs,
      });
      if (result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300) return;
      const delay = delays[attempt];
      if (delay === undefined) break;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    // The origin only: URLs of chat and incident tools carry their token in the path or the query.
    this.options.logger.warn({ origin: new URL(this.options.url).origin }, 'operational webhook not delivered');
  }
}
