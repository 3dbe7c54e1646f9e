// Encryption at rest (issue 16 item 14), on both stores: endpoint secrets and custom header values are not in the
// database in clear, the API and engine still see clear values, rows move from clear and between keys by the
// re-encryption pass, and a value no configured key opens is refused by name, never read as a wrong value.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encryptionKeyId, SecretBox, StoredSecretUnreadableError } from '../src/store/secret-box.js';
import type { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { type OpenedStore, storeKinds } from './support/stores.js';

const T0 = 1_800_000_000_000;
const keyA = randomBytes(32);
const keyB = randomBytes(32);
const boxA = () => new SecretBox({ current: keyA, old: [] });
const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const TOKEN = `Bearer tok_${randomBytes(12).toString('hex')}`;

const opened: OpenedStore[] = [];
afterEach(async () => {
  for (const store of opened.splice(0).reverse()) await store.close();
});

async function endpointWithSecrets(store: Store, n = 0) {
  const app = await store.createApplication({ name: `app ${n}` }, T0);
  const endpoint = await store.createEndpoint(
    app.id,
    { url: `https://example.com/${n}`, secret: `${SECRET}${n}`, headers: { authorization: `${TOKEN}${n}` } },
    T0,
  );
  return { appId: app.id, endpointId: endpoint.id };
}

async function rawValues(db: OpenedStore, endpointId: string) {
  const secrets = await db.sql('SELECT secret FROM endpoint_secrets WHERE endpoint_id = ?', endpointId);
  const [row] = await db.sql('SELECT headers FROM endpoints WHERE id = ?', endpointId);
  return { secrets: secrets.map((r) => String(r.secret)), headers: String(row?.headers) };
}

for (const kind of await storeKinds()) {
  describe(`encryption at rest (${kind.name})`, () => {
    async function open(box: SecretBox) {
      const db = await kind.open({ secretBox: box });
      opened.push(db);
      return db;
    }
    async function reopen(db: OpenedStore, box: SecretBox) {
      const again = await db.reopen({ secretBox: box });
      opened.push(again);
      return again;
    }

    it('with a key, the secret and header values are not in the table in clear; the store reads them back clear', async () => {
      const db = await open(boxA());
      const { appId, endpointId } = await endpointWithSecrets(db.store);
      await db.store.rotateSecret(endpointId, `${SECRET}rotated`, 60_000, T0 + 1);
      const raw = await rawValues(db, endpointId);
      expect(raw.secrets).toHaveLength(2);
      for (const value of [...raw.secrets, raw.headers]) {
        expect(value.startsWith(`enc:v1:${encryptionKeyId(keyA)}:`)).toBe(true);
        expect(value).not.toContain(SECRET);
        expect(value).not.toContain('tok_');
      }
      expect((await db.store.activeSecrets(endpointId, T0 + 2)).map((s) => s.secret)).toEqual([
        `${SECRET}rotated`,
        `${SECRET}0`,
      ]);
      expect((await db.store.getEndpoint(appId, endpointId))?.headers).toEqual({ authorization: `${TOKEN}0` });
      const patched = await db.store.updateEndpoint(appId, endpointId, { headers: { 'x-api-token': 'tk_2' } }, T0 + 3);
      expect(patched?.headers).toEqual({ 'x-api-token': 'tk_2' });
      expect((await rawValues(db, endpointId)).headers).not.toContain('tk_2');
      await db.store.publish(appId, { eventType: 'a.b', payload: '{}' }, T0 + 4);
      const [claimed] = await db.store.claimDueDeliveries({
        now: T0 + 5,
        leaseUntil: T0 + 60_000,
        limit: 10,
        perEndpointLimit: 10,
        excludeEndpointIds: [],
        endpointCaps: {},
      });
      expect(claimed?.endpoint.headers).toEqual({ 'x-api-token': 'tk_2' });
      expect(claimed?.problem).toBeUndefined();
    });

    // PostgreSQL's files are not this test's to read; its raw rows are checked above.
    if (kind.name === 'sqlite')
      it('no byte of the SQLite files holds the secret or the header value', async () => {
        const db = await open(boxA());
        await endpointWithSecrets(db.store);
        const dir = dirname((db.store as SqliteStore).db.name);
        const bytes = readdirSync(dir).map((file) => readFileSync(join(dir, file)).toString('latin1'));
        expect(bytes.join('').length).toBeGreaterThan(0);
        expect(bytes.some((text) => text.includes('https://example.com/0'))).toBe(true); // the test reads the right files
        expect(bytes.some((text) => text.includes(SECRET) || text.includes('tok_'))).toBe(false);
      });

    it('upgrade: rows written in clear are read, then encrypted by the pass; a second pass finds nothing', async () => {
      const clear = await open(new SecretBox());
      const ids = [];
      for (let n = 0; n < 5; n++) ids.push(await endpointWithSecrets(clear.store, n));
      expect((await rawValues(clear, ids[0]?.endpointId as string)).secrets).toEqual([`${SECRET}0`]);

      const db = await reopen(clear, boxA());
      // Readable before the pass (the process serves meanwhile) ...
      expect((await db.store.activeSecrets(ids[0]?.endpointId as string, T0))[0]?.secret).toBe(`${SECRET}0`);
      // ... and after it, batch by batch (2 per batch over 5 endpoints: several batches of each column).
      expect(await db.store.resealSecrets({ batchSize: 2 })).toEqual({
        resealed: 10,
        unreadable: 0,
        unknownKeyIds: [],
      });
      for (const [n, { appId, endpointId }] of ids.entries()) {
        const raw = await rawValues(db, endpointId);
        for (const value of [...raw.secrets, raw.headers]) expect(value).toMatch(/^enc:v1:/);
        expect((await db.store.activeSecrets(endpointId, T0))[0]?.secret).toBe(`${SECRET}${n}`);
        expect((await db.store.getEndpoint(appId, endpointId))?.headers).toEqual({ authorization: `${TOKEN}${n}` });
      }
      expect(await db.store.resealSecrets()).toEqual({ resealed: 0, unreadable: 0, unknownKeyIds: [] });
    });

    it('rotation from key A to key B: readable throughout, moved by the pass, then key A can go', async () => {
      const a = await open(boxA());
      const { appId, endpointId } = await endpointWithSecrets(a.store);
      const both = await reopen(a, new SecretBox({ current: keyB, old: [keyA] }));
      expect((await both.store.getEndpoint(appId, endpointId))?.headers).toEqual({ authorization: `${TOKEN}0` });
      expect((await both.store.resealSecrets()).resealed).toBe(2);
      const raw = await rawValues(both, endpointId);
      for (const value of [...raw.secrets, raw.headers]) {
        expect(value.startsWith(`enc:v1:${encryptionKeyId(keyB)}:`)).toBe(true);
      }
      const onlyB = await reopen(a, new SecretBox({ current: keyB, old: [] }));
      expect((await onlyB.store.activeSecrets(endpointId, T0))[0]?.secret).toBe(`${SECRET}0`);
      expect((await onlyB.store.getEndpoint(appId, endpointId))?.headers).toEqual({ authorization: `${TOKEN}0` });
    });

    it('turning encryption off: with only the old key given, the pass writes the values back in clear', async () => {
      const a = await open(boxA());
      const { endpointId } = await endpointWithSecrets(a.store);
      const off = await reopen(a, new SecretBox({ current: null, old: [keyA] }));
      expect((await off.store.resealSecrets()).resealed).toBe(2);
      expect(await rawValues(off, endpointId)).toEqual({
        secrets: [`${SECRET}0`],
        headers: JSON.stringify({ authorization: `${TOKEN}0` }),
      });
    });

    it('a value under a key not given: refused by name, a claim carries the problem, the pass reports it', async () => {
      const a = await open(boxA());
      const { appId, endpointId } = await endpointWithSecrets(a.store);
      const second = await endpointWithSecrets(a.store, 1);
      const wrong = await reopen(a, new SecretBox({ current: keyB, old: [] }));
      await expect(wrong.store.activeSecrets(endpointId, T0)).rejects.toThrow(StoredSecretUnreadableError);
      // The endpoint is read (a list must not fail on it); its headers, read, are refused by the key's name.
      const unreadable = await wrong.store.getEndpoint(appId, endpointId);
      expect(unreadable?.id).toBe(endpointId);
      expect(() => unreadable?.headers).toThrow(encryptionKeyId(keyA));
      await wrong.store.publish(appId, { eventType: 'a.b', payload: '{}' }, T0 + 1);
      const [claimed] = await wrong.store.claimDueDeliveries({
        now: T0 + 2,
        leaseUntil: T0 + 60_000,
        limit: 10,
        perEndpointLimit: 10,
        excludeEndpointIds: [],
        endpointCaps: {},
      });
      expect(claimed?.problem).toContain(encryptionKeyId(keyA));
      // The pass leaves what it cannot open as it is and says which key it needs; it does not throw.
      expect(await wrong.store.resealSecrets()).toEqual({
        resealed: 0,
        unreadable: 4,
        unknownKeyIds: [encryptionKeyId(keyA)],
      });
      const raw = await rawValues(wrong, second.endpointId);
      expect(raw.secrets[0]?.startsWith(`enc:v1:${encryptionKeyId(keyA)}:`)).toBe(true);
    });

    it("a source's verification secret is sealed too: not in the table in clear, read back, moved by the pass", async () => {
      const clear = await open(new SecretBox());
      const app = await clear.store.createApplication({ name: 'inbound' }, T0);
      const verification = { type: 'header-token' as const, header: 'x-token', token: `tok_${SECRET}` };
      const source = await clear.store.createSource(app.id, { name: 'crm', verification }, T0);
      const rawOf = async (db: OpenedStore) =>
        String((await db.sql('SELECT verification FROM sources WHERE id = ?', source.id))[0]?.verification);
      expect(await rawOf(clear)).toContain(SECRET); // the upgrade case: written before there was a key
      const db = await reopen(clear, boxA());
      expect((await db.store.resealSecrets()).resealed).toBe(1);
      expect(await rawOf(db)).toMatch(/^enc:v1:/);
      expect(await rawOf(db)).not.toContain(SECRET);
      expect((await db.store.findSource(source.id))?.verification).toEqual(verification);
      const rotated = { type: 'header-token' as const, header: 'x-token', token: 'tok_rotated' };
      await db.store.updateSource(app.id, source.id, { verification: rotated }, T0 + 1);
      expect(await rawOf(db)).not.toContain('tok_rotated');
      expect((await db.store.getSource(app.id, source.id))?.verification).toEqual(rotated);
      const wrong = await reopen(clear, new SecretBox({ current: keyB, old: [] }));
      const unreadable = await wrong.store.findSource(source.id);
      expect(unreadable?.id).toBe(source.id);
      expect(() => unreadable?.verification).toThrow(StoredSecretUnreadableError);
    });

    it('a sealed value copied into another endpoint row does not open there', async () => {
      const db = await open(boxA());
      const victim = await endpointWithSecrets(db.store, 0);
      const attacker = await endpointWithSecrets(db.store, 1);
      const stolen = await rawValues(db, victim.endpointId);
      await db.sql('UPDATE endpoints SET headers = ? WHERE id = ?', stolen.headers, attacker.endpointId);
      await db.sql(
        'UPDATE endpoint_secrets SET secret = ? WHERE endpoint_id = ?',
        stolen.secrets[0],
        attacker.endpointId,
      );
      const fresh = await reopen(db, boxA()); // no cache of this process's own reads
      const copied = await fresh.store.getEndpoint(attacker.appId, attacker.endpointId);
      expect(() => copied?.headers).toThrow(/does not authenticate/);
      await expect(fresh.store.activeSecrets(attacker.endpointId, T0)).rejects.toThrow(/does not authenticate/);
    });
  });
}
