import { sign } from '@octokit/webhooks-methods';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, triage } from './server.js';

const githubSecret = 'example-fastify-secret';
let app: FastifyInstance;
let base = '';

beforeAll(async () => {
  app = await createApp({ githubSecret });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => app.close());

describe('examples/receiver-fastify', () => {
  it('triages an issues.opened event signed the way GitHub signs', async () => {
    const body = JSON.stringify({ action: 'opened', issue: { number: 7, title: 'Crash on start' } });
    const response = await fetch(`${base}/webhooks/github`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issues',
        'x-github-delivery': 'a1b2c3d4-0000-4000-8000-000000000001',
        'x-hub-signature-256': await sign(githubSecret, body),
      },
    });
    expect(response.status).toBe(200);
    expect(triage).toEqual([{ number: 7, title: 'Crash on start' }]);
  });
});
