// Where a delivery URL sends, as undici's request(url) works it out (origin, then path with query; no fragment),
// parsed once per URL: `new URL` on every send was a measurable part of the send path.

export interface SendTarget {
  origin: string;
  path: string;
}

/** Past this many URLs the cache starts over rather than grow. */
const CACHED_TARGETS = 10_000;
const targets = new Map<string, SendTarget | null>();

function parse(url: string): SendTarget | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  return { origin: parsed.origin, path: parsed.search ? `${parsed.pathname}${parsed.search}` : parsed.pathname };
}

/** The origin and path of an http(s) URL; null for anything else, which the caller leaves to undici to refuse. */
export function sendTarget(url: string): SendTarget | null {
  let target = targets.get(url);
  if (target === undefined) {
    target = parse(url);
    if (targets.size >= CACHED_TARGETS) targets.clear();
    targets.set(url, target);
  }
  return target;
}
