import { describe, expect, it } from 'vitest';
import { sendTarget } from './send-target.js';

describe('sendTarget', () => {
  it('splits an http(s) URL as undici does: origin, then path with its query, no fragment', () => {
    expect(sendTarget('https://hooks.example.com/in/a?x=1&y=2#frag')).toEqual({
      origin: 'https://hooks.example.com',
      path: '/in/a?x=1&y=2',
    });
    expect(sendTarget('http://127.0.0.1:8080')).toEqual({ origin: 'http://127.0.0.1:8080', path: '/' });
    expect(sendTarget('https://example.com:443/p')).toEqual({ origin: 'https://example.com', path: '/p' });
  });

  it('gives the same answer from its cache as the first time', () => {
    const first = sendTarget('https://cached.example.com/p?q=1');
    expect(sendTarget('https://cached.example.com/p?q=1')).toEqual(first);
  });

  it('leaves a URL that is not http(s), or not a URL, to undici (null)', () => {
    expect(sendTarget('ftp://example.com/file')).toBeNull();
    expect(sendTarget('not a url')).toBeNull();
  });
});
