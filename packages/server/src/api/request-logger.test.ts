import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { lazyRequestLogger } from './request-logger.js';

function loggedApp() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'info' }, stream);
  let children = 0;
  const child = logger.child.bind(logger);
  // Counts the pino children made, to see that a request that logs nothing makes none.
  (logger as unknown as { child: FastifyBaseLogger['child'] }).child = (bindings, options) => {
    children++;
    return child(bindings, options);
  };
  const app = Fastify({ loggerInstance: logger, disableRequestLogging: true, childLoggerFactory: lazyRequestLogger });
  app.get('/quiet', async () => ({ ok: true }));
  app.get('/loud', async (request) => {
    request.log.warn({ detail: 'x' }, 'something to say');
    return { ok: true };
  });
  return { app, lines, children: () => children };
}

describe('lazyRequestLogger', () => {
  it('a request that logs nothing makes no child logger', async () => {
    const { app, children } = loggedApp();
    await app.ready();
    // Fastify makes children of its own while it starts: only what a request makes is counted.
    const before = children();
    const answer = await app.inject({ method: 'GET', url: '/quiet' });
    expect(answer.statusCode).toBe(200);
    expect(children() - before).toBe(0);
    await app.close();
  });

  it('a request that logs gets its line with the request id, from one child made then', async () => {
    const { app, lines, children } = loggedApp();
    await app.ready();
    const before = children();
    await app.inject({ method: 'GET', url: '/loud' });
    expect(children() - before).toBe(1);
    const line = lines.find((entry) => entry.msg === 'something to say');
    expect(line).toMatchObject({ level: 40, detail: 'x' });
    expect(typeof line?.reqId).toBe('string');
    await app.close();
  });
});
