import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  encryptionKeyId,
  InvalidEncryptionKeyError,
  parseEncryptionKey,
  SecretBox,
  StoredSecretUnreadableError,
  secretBoxFrom,
} from './secret-box.js';

const keyA = randomBytes(32);
const keyB = randomBytes(32);
const CONTEXT = 'endpoint_secrets.secret:ep_1';

describe('SecretBox', () => {
  it('seals under the current key and opens back to the clear value', () => {
    const box = new SecretBox({ current: keyA, old: [] });
    const sealed = box.seal('whsec_abc', CONTEXT);
    expect(sealed).toMatch(new RegExp(`^enc:v1:${encryptionKeyId(keyA)}:[\\w-]+:[\\w-]+:[\\w-]+$`));
    expect(sealed).not.toContain('whsec_abc');
    expect(box.open(sealed, CONTEXT)).toBe('whsec_abc');
    // A fresh IV each time: the same value never seals to the same text (equal secrets are not visible as equal).
    expect(box.seal('whsec_abc', CONTEXT)).not.toBe(sealed);
  });

  it('without a key, writes clear text and reads clear text', () => {
    const box = new SecretBox();
    expect(box.encrypts).toBe(false);
    expect(box.seal('{"x-a":"b"}', CONTEXT)).toBe('{"x-a":"b"}');
    expect(box.open('whsec_abc', CONTEXT)).toBe('whsec_abc');
  });

  it('reads values under an old key, and knows they are not current', () => {
    const sealedA = new SecretBox({ current: keyA, old: [] }).seal('whsec_a', CONTEXT);
    const rotated = new SecretBox({ current: keyB, old: [keyA] });
    expect(rotated.open(sealedA, CONTEXT)).toBe('whsec_a');
    expect(rotated.isCurrent(sealedA)).toBe(false);
    expect(rotated.isCurrent(rotated.seal('whsec_a', CONTEXT))).toBe(true);
    expect(rotated.isCurrent('whsec_clear')).toBe(false);
    expect(new SecretBox().isCurrent('whsec_clear')).toBe(true);
  });

  it('refuses a value under a key it is not given, naming the key id, never returning a wrong value', () => {
    const sealedA = new SecretBox({ current: keyA, old: [] }).seal('whsec_a', CONTEXT);
    const other = new SecretBox({ current: keyB, old: [] });
    expect(() => other.open(sealedA, CONTEXT)).toThrow(StoredSecretUnreadableError);
    expect(() => other.open(sealedA, CONTEXT)).toThrow(encryptionKeyId(keyA));
    expect(() => new SecretBox().open(sealedA, CONTEXT)).toThrow(/HOOKLINE_ENCRYPTION_OLD_KEYS/);
  });

  it('refuses a value moved to another row or altered (the tag binds the row and the bytes)', () => {
    const box = new SecretBox({ current: keyA, old: [] });
    const sealed = box.seal('whsec_a', CONTEXT);
    expect(() => box.open(sealed, 'endpoint_secrets.secret:ep_2')).toThrow(StoredSecretUnreadableError);
    const parts = sealed.split(':');
    const ciphertext = Buffer.from(parts[5] as string, 'base64url');
    ciphertext[0] = (ciphertext[0] as number) ^ 1;
    parts[5] = ciphertext.toString('base64url');
    expect(() => box.open(parts.join(':'), CONTEXT)).toThrow(/does not authenticate/);
    expect(() => box.open('enc:v1:garbage', CONTEXT)).toThrow(/not a Hookline v1 envelope/);
    expect(() => box.open('enc:v2:a:b:c:d', CONTEXT)).toThrow(StoredSecretUnreadableError);
  });

  it('a key must be 32 bytes of base64; the error says how to make one and never echoes the value', () => {
    expect(parseEncryptionKey(keyA.toString('base64'), 'K')).toEqual(keyA);
    expect(parseEncryptionKey(keyA.toString('base64url'), 'K')).toEqual(keyA);
    for (const bad of ['short', randomBytes(16).toString('base64'), `${keyA.toString('base64')}!`, '']) {
      expect(() => parseEncryptionKey(bad, 'K')).toThrow(InvalidEncryptionKeyError);
    }
    try {
      parseEncryptionKey('not-a-key-but-a-secret', 'K');
    } catch (error) {
      expect((error as Error).message).toContain('openssl rand -base64 32');
      expect((error as Error).message).not.toContain('not-a-key-but-a-secret');
    }
    const box = secretBoxFrom({ key: keyB.toString('base64'), oldKeys: [keyA.toString('base64')] });
    expect(box.currentKeyId).toBe(encryptionKeyId(keyB));
  });
});
