// Encryption at rest through `hookline serve` (issue 16 item 14), on both stores: deliveries signed with an encrypted
// secret verify with the standardwebhooks library; a restart under a new key moves the rows at start; a key missing
// from the configuration is one clear error line at start, a 503 naming the key on the API, and recorded failed
// attempts, not a crash, a 500 or a silently wrong signature.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SERVICES } from '../../../test/support/services.js';
import type { ServerConfig } from '../src/config.js';
import { encryptionKeyId } from '../src/store/secret-box.js';
import { availableStores } from './support/each-store.js';
import { type AttemptOut, appWithEndpoint, attemptsOf, publish, startHookline } from './support/hookline.js';
import { dropSchema, randomSchemaName } from './support/postgres-schema.js';
import { type ReceivedRequest, TestReceiver, waitFor } from './support/receiver.js';

const keyA = randomBytes(32).toString('base64');
const keyB = randomBytes(32).toString('base64');
const idOf = (key: string) => encryptionKeyId(Buffer.from(key, 'base64'));

let receiver: TestReceiver;
const cleanups: Array<() => Promise<void> | void> = [];
beforeEach(async () => {
  receiver = new TestReceiver();
  await receiver.start();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await receiver.stop();
});

/** One database, kept across the restarts of a test. */
function databaseOf(kind: string): string {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'hookline-encryption-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return join(dir, 'hookline.db');
  }
  const schema = randomSchemaName();
  cleanups.push(() => dropSchema(SERVICES.postgres.url, schema));
  const url = new URL(SERVICES.postgres.url);
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** A server on `database` with these keys, logging into `lines`; closed at the end of the test unless closed before. */
async function start(
  database: string,
  encryption: ServerConfig['encryption'],
  lines: object[] = [],
  overrides: Partial<ServerConfig> = {},
) {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line !== '') lines.push(JSON.parse(line) as object);
      done();
    },
  });
  const hookline = await startHookline({}, { ...overrides, database, encryption }, pino({ level: 'info' }, sink));
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await hookline.server.close();
  };
  cleanups.push(close);
  return { ...hookline, close };
}

function verifies(request: ReceivedRequest, secret: string): boolean {
  try {
    new Webhook(secret).verify(request.body, request.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
}

for (const kind of await availableStores()) {
  describe(`encryption at rest through hookline serve (${kind})`, () => {
    it('deliveries verify, custom headers arrive, and a restart under a new key moves the rows at start', async () => {
      const database = databaseOf(kind);
      const first = await start(database, { key: keyA, oldKeys: [] });
      const { appId, secret } = await appWithEndpoint(first.api, `${receiver.url}/hook`, {
        headers: { 'x-api-token': 'tk_123' },
      });
      await publish(first.api, appId, { n: 1 });
      await waitFor(() => receiver.on('/hook').length === 1, 'the first delivery');
      expect(verifies(receiver.on('/hook')[0] as ReceivedRequest, secret)).toBe(true);
      expect(receiver.on('/hook')[0]?.headers['x-api-token']).toBe('tk_123');
      await first.close();

      const lines: object[] = [];
      const second = await start(database, { key: keyB, oldKeys: [keyA] }, lines);
      expect(await second.server.secretsAtRest).toEqual({ resealed: 2, unreadable: 0, unknownKeyIds: [] });
      expect(lines).toContainEqual(expect.objectContaining({ resealed: 2, keyId: idOf(keyB) }));
      await second.close();

      // Key A is no longer needed: everything is under B.
      const third = await start(database, { key: keyB, oldKeys: [] });
      expect(await third.server.secretsAtRest).toEqual({ resealed: 0, unreadable: 0, unknownKeyIds: [] });
      await publish(third.api, appId, { n: 2 });
      await waitFor(() => receiver.on('/hook').length === 2, 'the delivery after the rotation');
      expect(verifies(receiver.on('/hook')[1] as ReceivedRequest, secret)).toBe(true);
      expect(receiver.on('/hook')[1]?.headers['x-api-token']).toBe('tk_123');
    });

    it('a key missing from the configuration: one error line at start, 503 on the API, recorded failed attempts', async () => {
      const database = databaseOf(kind);
      const first = await start(database, { key: keyA, oldKeys: [] });
      const { appId, endpointId } = await appWithEndpoint(first.api, `${receiver.url}/lost`);
      await first.close();

      const lines: Array<Record<string, unknown>> = [];
      const wrong = await start(database, { key: keyB, oldKeys: [] }, lines);
      expect(await wrong.server.secretsAtRest).toEqual({ resealed: 0, unreadable: 2, unknownKeyIds: [idOf(keyA)] });
      const errors = lines.filter((line) => line.level === 50);
      expect(errors).toHaveLength(1);
      expect(String(errors[0]?.msg)).toContain(`key ${idOf(keyA)}`);
      expect(String(errors[0]?.msg)).toContain('HOOKLINE_ENCRYPTION_OLD_KEYS');

      const read = await wrong.api.call<{ code: string; detail: string }>(
        'GET',
        `/api/v1/app/${appId}/endpoint/${endpointId}/secret`,
      );
      expect(read.status).toBe(503);
      expect(read.body.code).toBe('secret_unreadable');
      expect(read.body.detail).toContain(idOf(keyA));

      const message = await publish(wrong.api, appId, { n: 1 });
      let attempts: AttemptOut[] = [];
      await waitFor(async () => {
        attempts = await attemptsOf(wrong.api, appId, message.id);
        return attempts.length > 0;
      }, 'a recorded attempt');
      expect(attempts[0]?.status).toBe(2); // failed (Svix's MessageStatus)
      expect(attempts[0]?.error).toContain(idOf(keyA));
      expect(receiver.on('/lost')).toHaveLength(0); // never sent unsigned or signed with something else
    });

    it('without a key a production server warns once at start; development mode does not', async () => {
      const warningsOf = (lines: Array<Record<string, unknown>>) =>
        lines.filter((line) => String(line.msg).includes('HOOKLINE_ENCRYPTION_KEY is not set'));
      const production: Array<Record<string, unknown>> = [];
      await start(databaseOf(kind), { key: null, oldKeys: [] }, production);
      expect(warningsOf(production)).toHaveLength(1);
      expect(production.find((line) => line.msg === 'hookline started')).toBeDefined(); // the lines were read
      const development: Array<Record<string, unknown>> = [];
      await start(databaseOf(kind), { key: null, oldKeys: [] }, development, { dev: true });
      expect(development.find((line) => line.msg === 'hookline started')).toBeDefined();
      expect(warningsOf(development)).toHaveLength(0);
    });
  });
}
