// The stream `hookline listen` reads: an application's messages as they are published (or relayed from a source),
// as server-sent events, to a client that asks for `text/event-stream`. Outbound from the listener, so the app it
// forwards to need not be reachable from here. Any other client gets the backlog page as JSON at once (the same
// filters, no stream), so a plain GET of the route answers and ends like every other route.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findApplication } from '../../operations/applications.js';
import { notFound } from '../../operations/errors.js';
import { sourceTag } from '../../operations/relay.js';
import type { Message } from '../../store/types.js';
import type { ApiContext } from '../context.js';
import { dateTime, pathId } from '../schemas.js';

/** How often the stream looks for new messages, and how often it says it is alive through proxies. */
const POLL_MS = 200;
const HEARTBEAT_MS = 15_000;
/** Messages read per look; more waiting are read at once by the next look. */
const BATCH = 100;
export const MAX_REPLAY = 100;
/** Sorts before every message id: "from the beginning". */
const BEFORE_FIRST_MESSAGE = 'msg_0000000000000000000000';

interface ListenQuery {
  source?: string;
  events?: string;
  replay?: number;
}

export interface ListenedEvent {
  id: string;
  eventType: string;
  /** The body exactly as it is delivered. */
  payload: string;
  contentType: string;
  timestamp: string;
}

const listenedEventSchema = {
  type: 'object',
  required: ['id', 'eventType', 'payload', 'contentType', 'timestamp'],
  properties: {
    id: { type: 'string' },
    eventType: { type: 'string' },
    payload: { type: 'string' },
    contentType: { type: 'string' },
    timestamp: dateTime,
  },
} as const;

async function eventOf(context: ApiContext, message: Message): Promise<ListenedEvent> {
  const forwarding =
    message.eventId?.startsWith('inb_') === true
      ? await context.store.inboundForwarding(message.appId, message.eventId)
      : null;
  return {
    id: message.id,
    eventType: message.eventType,
    payload: message.payload,
    contentType: forwarding?.headers['content-type'] ?? 'application/json',
    timestamp: new Date(message.createdAt).toISOString(),
  };
}

function wantsStream(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').toLowerCase().includes('text/event-stream');
}

export function listenRoutes(app: FastifyInstance, context: ApiContext): void {
  app.get<{ Params: { appId: string }; Querystring: ListenQuery }>(
    '/api/v1/app/:appId/listen',
    {
      schema: {
        tags: ['Message'],
        operationId: 'v1.message.listen',
        summary:
          'Messages as they are published, as server-sent events (Accept: text/event-stream); otherwise the last `replay` as JSON',
        params: { type: 'object', required: ['appId'], properties: { appId: pathId } },
        querystring: {
          type: 'object',
          properties: {
            source: pathId,
            events: { type: 'string', maxLength: 4096 },
            replay: { type: 'integer', minimum: 0, maximum: MAX_REPLAY, default: 0 },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['data'],
            properties: { data: { type: 'array', items: listenedEventSchema } },
          },
        },
      },
    },
    async (request, reply) => {
      const application = await findApplication(context, request.params.appId);
      let tag: string | null = null;
      if (request.query.source !== undefined) {
        const source = await context.store.getSource(application.id, request.query.source);
        if (source === null) throw notFound('source');
        tag = sourceTag(source.id);
      }
      const eventTypes = request.query.events
        ?.split(',')
        .map((type) => type.trim())
        .filter((type) => type !== '');
      const filters = { eventTypes: eventTypes === undefined || eventTypes.length === 0 ? null : eventTypes, tag };
      const replay = request.query.replay ?? 0;
      const backlog =
        replay === 0 ? [] : (await context.store.listMessages(application.id, { limit: replay, ...filters })).data;
      const replayed = await Promise.all(backlog.reverse().map((message) => eventOf(context, message)));
      if (!wantsStream(request)) return { data: replayed };
      // The cursor starts at the newest message now (whatever the filters), so only what comes next is streamed.
      const newest = (await context.store.listMessages(application.id, { limit: 1 })).data[0];
      return stream(context, application.id, filters, replayed, newest?.id ?? BEFORE_FIRST_MESSAGE, request, reply);
    },
  );
}

function stream(
  context: ApiContext,
  appId: string,
  filters: { eventTypes: string[] | null; tag: string | null },
  replayed: ListenedEvent[],
  startAfter: string,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const send = (event: ListenedEvent) =>
    raw.write(`id: ${event.id}\nevent: message\ndata: ${JSON.stringify(event)}\n\n`);
  raw.write(': listening\n\n');
  for (const event of replayed) send(event);
  let cursor = startAfter;
  let closed = false;
  let lastWrite = Date.now();
  request.raw.once('close', () => {
    closed = true;
  });
  const wanted = (message: Message) =>
    (filters.eventTypes === null || filters.eventTypes.includes(message.eventType)) &&
    (filters.tag === null || (message.tags ?? []).includes(filters.tag));
  const look = async () => {
    while (!closed) {
      // The messages just after the cursor (the page before it, newest first): sent oldest first, those the
      // filters want; the cursor moves past all of them.
      const page = await context.store.listMessages(appId, { limit: BATCH, iterator: cursor, backward: true });
      const next = page.data.slice().reverse();
      for (const message of next) {
        if (closed) return;
        if (wanted(message)) {
          send(await eventOf(context, message));
          lastWrite = Date.now();
        }
      }
      cursor = next.at(-1)?.id ?? cursor;
      if (next.length < BATCH) {
        if (Date.now() - lastWrite >= HEARTBEAT_MS) {
          raw.write(': alive\n\n');
          lastWrite = Date.now();
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    }
  };
  look().catch((error: unknown) => {
    request.log.error({ err: error }, 'listen stream ended by an error');
    raw.end();
  });
}
