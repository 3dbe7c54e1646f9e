import type { AddressInfo } from 'node:net';
import { standardWebhooks } from '@hookline/receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, ledger } from './server.js';

const secret = standardWebhooks.generateSecret();
const app = createApp({ secret, adminToken: 'admin-token' });
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(app.address() as AddressInfo).port}/webhooks`;
});
afterAll(async () => {
  app.closeAllConnections();
  await new Promise((resolve) => app.close(resolve));
});

describe('examples/receiver-node', () => {
  it('handles a signed invoice.paid and shows it in the event log', async () => {
    const body = JSON.stringify({ type: 'invoice.paid', data: { invoiceId: 'inv_node', amountCents: 4200 } });
    const headers = await standardWebhooks.sign({ id: 'msg_example_node', body, secret });
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { ...headers, 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
    expect(ledger.paid.get('inv_node')).toBe(4200);

    const log = await fetch(url, { headers: { authorization: 'Bearer admin-token' } });
    expect(await log.json()).toMatchObject({
      events: [{ id: 'msg_example_node', type: 'invoice.paid', status: 'handled' }],
    });
    expect((await fetch(url)).status).toBe(403);
  });
});
