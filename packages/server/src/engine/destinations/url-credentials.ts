// A broker destination's credentials in its URL (amqp://user:pass@…, redis://:pass@…, nats://token@…): the form of
// the URL that may be shown or logged, and the form of an input that writes back what the API showed. Pure, with no
// imports, so the store (which keeps the shown form in its own column) and the engine use the one rule.

export const REDACTED = '***';

/** The URL as the API, the dashboard, the attempt log and the logs show it: a broker password replaced by ***. */
export function displayUrl(raw: string): string {
  // The hot path (every HTTP attempt) pays one prefix test: http(s) URLs never hold credentials (refused at input).
  if (raw.startsWith('http')) return raw;
  try {
    const url = new URL(raw);
    if (url.password === '' && url.username === '') return raw;
    if (url.password !== '') url.password = REDACTED;
    // A lone username on NATS is its token: a secret as well.
    else if (url.protocol === 'nats:') url.username = REDACTED;
    else return raw;
    return url.href;
  } catch {
    return raw;
  }
}

/**
 * An input URL that still holds *** where the API showed a password (a client that read the endpoint and wrote it
 * back) keeps the stored credential, when it names the same broker; anything else is taken as given.
 */
export function withStoredCredentials(input: string, stored: string): string {
  if (!input.includes(REDACTED) || input.startsWith('http')) return input;
  try {
    const given = new URL(input);
    const kept = new URL(stored);
    if (given.protocol !== kept.protocol || given.host !== kept.host) return input;
    if (decodeURIComponent(given.password) === REDACTED && given.username === kept.username) {
      given.password = kept.password;
    } else if (given.password === '' && decodeURIComponent(given.username) === REDACTED && kept.password === '') {
      given.username = kept.username;
    } else {
      return input;
    }
    return given.href;
  } catch {
    return input;
  }
}
