import pino from 'pino';
import { Agent } from 'undici';
import { expect, it } from 'vitest';
import { OperationalWebhook } from './operational-webhook.js';

it('an operational webhook that cannot be delivered is logged by its origin, never its token-bearing path', async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
  const dispatcher = new Agent();
  // Port 9 (discard) refuses at once on loopback: every try fails fast.
  const webhook = new OperationalWebhook({
    url: 'http://127.0.0.1:9/services/T000/B000/secret-token?key=also-secret',
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    dispatcher,
    timeoutMs: 1000,
    logger,
    retryDelaysMs: [],
  });
  webhook.endpointDisabled({ appId: 'app_1', endpointId: 'ep_1', reason: 'gone', at: Date.now() });
  await expect.poll(() => lines.length, { timeout: 10_000 }).toBe(1);
  await dispatcher.close();
  expect(lines[0]).toContain('http://127.0.0.1:9');
  expect(lines[0]).not.toContain('secret-token');
  expect(lines[0]).not.toContain('also-secret');
});
