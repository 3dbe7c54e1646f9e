import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type IncomingWebhookRequest, SqliteInboxStore, Webhooks } from '@hookline/receiver';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { post, SECRET, signedStandard } from '../../test/support.js';

const dir = mkdtempSync(join(tmpdir(), 'hookline-durable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

function setup(options: { retryDelaysSeconds?: number[] } = {}) {
  const file = join(dir, `inbox-${++files}.db`);
  const db = new Database(file);
  // One clock for the receiver and its store (the worker schedules retries on it); it starts at the real time so
  // signatures made now are within tolerance, and moves by hand.
  let now = Date.now();
  const clock = () => now;
  const store = new SqliteInboxStore(db, { now: clock });
  const webhooks = new Webhooks({
    scheme: 'standard-webhooks',
    secret: SECRET,
    now: clock,
    inbox: { store, retryDelaysSeconds: options.retryDelaysSeconds ?? [10, 60] },
  });
  return { webhooks, store, db, advanceSeconds: (s: number) => (now += s * 1000) };
}

async function request(payload: unknown, id: string): Promise<IncomingWebhookRequest> {
  const signed = await signedStandard(payload, { id });
  return {
    method: 'POST',
    headers: signed.headers,
    remoteAddress: '127.0.0.1',
    body: new TextEncoder().encode(signed.body),
  };
}

describe('durable inbox (SQLite)', () => {
  it('answers 202 once stored; the worker runs the handler; a redelivery is a duplicate', async () => {
    const { webhooks, db } = setup();
    const seen: unknown[] = [];
    webhooks.on('order.created', (event) => {
      seen.push([event.id, event.payload, event.attempt]);
    });
    const response = await webhooks.handle(await request({ type: 'order.created', n: 1 }, 'msg_inbox_1'));
    expect(response.status).toBe(202);
    expect(seen).toEqual([]);
    expect(
      JSON.parse((await webhooks.handle(await request({ type: 'order.created', n: 1 }, 'msg_inbox_1'))).body),
    ).toEqual({
      status: 'duplicate',
    });
    expect(await webhooks.drainInbox()).toBe(1);
    expect(seen).toEqual([['msg_inbox_1', { type: 'order.created', n: 1 }, 1]]);
    expect(await webhooks.inboxEvents({ status: 'done' })).toHaveLength(1);
    db.close();
  });

  it('retries a failing handler on schedule, then dead-letters it; replay runs it again', async () => {
    const { webhooks, advanceSeconds, db } = setup({ retryDelaysSeconds: [10, 60] });
    let failing = true;
    const attempts: number[] = [];
    const errors: string[] = [];
    webhooks.on('order.created', (event) => {
      attempts.push(event.attempt);
      if (failing) throw new Error(`fail ${event.attempt}`);
    });
    webhooks.onError((error) => errors.push((error as Error).message));
    await webhooks.handle(await request({ type: 'order.created' }, 'msg_inbox_dead'));
    await webhooks.drainInbox();
    expect(await webhooks.inboxEvents({ status: 'pending' })).toMatchObject([{ attempts: 1, lastError: 'fail 1' }]);
    expect(await webhooks.drainInbox()).toBe(0); // not due yet
    advanceSeconds(10);
    await webhooks.drainInbox();
    advanceSeconds(60);
    await webhooks.drainInbox();
    expect(attempts).toEqual([1, 2, 3]);
    expect(errors).toEqual(['fail 1', 'fail 2', 'fail 3']);
    expect(await webhooks.inboxEvents({ status: 'dead' })).toMatchObject([{ id: 'msg_inbox_dead', attempts: 3 }]);
    expect(webhooks.recentEvents(1)[0]).toMatchObject({ id: 'msg_inbox_dead', status: 'dead' });

    failing = false;
    expect(await webhooks.replay('msg_inbox_dead')).toBe(true);
    await webhooks.drainInbox();
    expect(attempts).toEqual([1, 2, 3, 1]);
    expect(await webhooks.inboxEvents({ status: 'done' })).toHaveLength(1);
    db.close();
  });

  it('the background worker picks up new events when started, and stops cleanly', async () => {
    const { webhooks, db } = setup();
    const handled: string[] = [];
    let release: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    webhooks.on('*', (event) => {
      handled.push(event.id ?? '');
      release();
    });
    webhooks.start();
    await webhooks.handle(await request({ type: 'x.y' }, 'msg_inbox_bg'));
    await done;
    await webhooks.stop();
    expect(handled).toEqual(['msg_inbox_bg']);
    db.close();
  });

  it('an acknowledged event survives a killed process and runs after restart', async () => {
    const file = join(dir, 'crash.db');
    const child: ChildProcess = fork(
      fileURLToPath(new URL('../../test/inbox-crash-child.ts', import.meta.url)),
      [file],
      {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      },
    );
    try {
      const messages: Array<{ port?: number; started?: string }> = [];
      const next = (key: 'port' | 'started') =>
        new Promise<{ port?: number; started?: string }>((resolve, reject) => {
          const found = messages.find((m) => m[key] !== undefined);
          if (found !== undefined) return resolve(found);
          child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
          const onMessage = (m: { port?: number; started?: string }) => {
            messages.push(m);
            if (m[key] !== undefined) {
              child.off('message', onMessage);
              resolve(m);
            }
          };
          child.on('message', onMessage);
        });
      const { port } = await next('port');
      const response = await post(
        `http://127.0.0.1:${port}/webhooks`,
        await signedStandard({ type: 'order.created', n: 7 }, { id: 'msg_crash' }),
      );
      expect(response.status).toBe(202);
      expect((await next('started')).started).toBe('msg_crash');
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) =>
        child.exitCode !== null || child.signalCode !== null ? resolve(null) : child.once('exit', resolve),
      );
    }

    // Restart: a new process's receiver on the same file. The dead worker's 30 s lease is over (clock moved).
    const db = new Database(file);
    const webhooks = new Webhooks({
      scheme: 'standard-webhooks',
      secret: SECRET,
      inbox: { store: new SqliteInboxStore(db, { now: () => Date.now() + 31_000 }) },
    });
    const seen: unknown[] = [];
    webhooks.on('order.created', (event) => {
      seen.push([event.id, event.payload, event.attempt]);
    });
    expect(await webhooks.drainInbox()).toBe(1);
    expect(seen).toEqual([['msg_crash', { type: 'order.created', n: 7 }, 2]]);
    db.close();
  });
});
