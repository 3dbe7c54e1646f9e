import { createNodeMiddleware } from '@hookline/receiver';
import { describeAdapter } from '../../../test/adapter-suite.js';
import { startNodeServer } from '../../../test/support.js';

describeAdapter('node:http', async (webhooks) => {
  const server = await startNodeServer(createNodeMiddleware(webhooks, { path: '/webhooks' }));
  return { ...server, endpoint: `${server.url}/webhooks` };
});
