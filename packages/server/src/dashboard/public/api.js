// The dashboard's only way to the server: the Svix-shaped HTTP API with the key from sessionStorage. The key lives
// in sessionStorage (gone when the tab closes), never in a URL, a cookie or a log line.

const KEY_ITEM = 'hookline.key';
const APP_ITEM = 'hookline.app';

export const session = {
  get key() {
    return sessionStorage.getItem(KEY_ITEM);
  },
  /** Set when the key reaches one application only (a customer portal): the dashboard shows just that one. */
  get app() {
    return sessionStorage.getItem(APP_ITEM);
  },
  signIn(key, app) {
    sessionStorage.setItem(KEY_ITEM, key);
    if (app) sessionStorage.setItem(APP_ITEM, app);
    else sessionStorage.removeItem(APP_ITEM);
  },
  signOut() {
    sessionStorage.removeItem(KEY_ITEM);
    sessionStorage.removeItem(APP_ITEM);
  },
};

export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

/** A 422's detail is Svix's list of {loc, msg}: say each as "field: problem". */
function describeDetail(detail) {
  if (!Array.isArray(detail)) return detail;
  return detail.map((issue) => `${(issue.loc ?? []).slice(1).join('.')}: ${issue.msg}`).join('; ');
}

/**
 * `options.key` tries a key that is not the session's yet (signing in): its 401 is the sign-in form's to show, so it
 * does not sign the session out (which would re-render the form and lose the message).
 */
export async function api(method, path, body, options = {}) {
  const trying = options.key !== undefined;
  const headers = { authorization: `Bearer ${(trying ? options.key : session.key) ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
  const text = await response.text();
  if (!response.ok) {
    let code = `http_${response.status}`;
    let detail = text.slice(0, 300);
    try {
      const parsed = JSON.parse(text);
      code = parsed.code ?? code;
      detail = describeDetail(parsed.detail) ?? detail;
    } catch {
      // not JSON: keep the status and the start of the text
    }
    if (response.status === 401 && !trying) window.dispatchEvent(new CustomEvent('hookline:unauthorized'));
    throw new ApiError(response.status, code, detail);
  }
  return text === '' ? null : JSON.parse(text);
}

export const enc = encodeURIComponent;

/** Every page of a list, bounded. */
export async function listAll(path, maxPages = 40) {
  const items = [];
  let iterator = null;
  for (let page = 0; page < maxPages; page++) {
    const separator = path.includes('?') ? '&' : '?';
    const result = await api('GET', `${path}${separator}limit=250${iterator ? `&iterator=${enc(iterator)}` : ''}`);
    items.push(...result.data);
    if (result.done || !result.iterator) break;
    iterator = result.iterator;
  }
  return items;
}
