// A Fastify app receiving GitHub events through the plugin. The plugin's raw-body parser lives in its own
// encapsulated context (registered with a prefix), so the rest of the app keeps Fastify's JSON parsing.
//   GITHUB_WEBHOOK_SECRET=… npx tsx examples/receiver-fastify/server.ts   (after `npm run build`)
import { pathToFileURL } from 'node:url';
import { fastifyWebhooks, Webhooks } from '@hookline/receiver';
import Fastify, { type FastifyInstance } from 'fastify';

type Events = {
  'issues.opened': { action: 'opened'; issue: { number: number; title: string } };
  push: { ref: string };
};

export const triage: Array<{ number: number; title: string }> = [];

export async function createApp(config: { githubSecret: string }): Promise<FastifyInstance> {
  const webhooks = new Webhooks<Events>({ scheme: 'github', secret: config.githubSecret });
  webhooks.on('issues.opened', (event) => {
    triage.push({ number: event.payload.issue.number, title: event.payload.issue.title });
  });
  const app = Fastify();
  await app.register(fastifyWebhooks(webhooks), { prefix: '/webhooks/github' });
  app.get('/health', async () => ({ ok: true }));
  return app;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const githubSecret = process.env.GITHUB_WEBHOOK_SECRET;
  if (githubSecret === undefined) throw new Error('set GITHUB_WEBHOOK_SECRET');
  const app = await createApp({ githubSecret });
  console.log(await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' }));
}
