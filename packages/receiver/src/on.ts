// The handler registry: handlers register by event name, by a prefix pattern (`payment.*`, `orders/*`) or for
// everything (`*`). Routing is a pure lookup: exact names in a map, patterns scanned in registration order.
import { handlerName } from './register.js';
import type { EventMap, WebhookEvent, WebhookHandler } from './types.js';

type Names<M> = Extract<keyof M, string>;

/** What `on` accepts: an event name from the map, `*`, or a prefix ending in `*`. */
export type EventPattern<M extends EventMap> = Names<M> | '*' | `${string}*`;

type MatchingNames<M extends EventMap, P extends string> = P extends '*'
  ? Names<M>
  : P extends `${infer Prefix}*`
    ? Extract<Names<M>, `${Prefix}${string}`>
    : Extract<Names<M>, P>;

/**
 * The event a handler registered under pattern P receives: a union over the matching names, so checking
 * `event.type` narrows `event.payload`. With an untyped map every event is `WebhookEvent<string, unknown>`.
 */
export type EventFor<M extends EventMap, P extends string> =
  string extends Names<M>
    ? WebhookEvent<string, M[string]>
    : { [K in MatchingNames<M, P>]: WebhookEvent<K, M[K]> }[MatchingNames<M, P>];

/** Whether `pattern` routes an event named `name`. */
export function patternMatches(pattern: string, name: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

interface Registration {
  pattern: string;
  handler: WebhookHandler;
}

export class HandlerRegistry {
  readonly #exact = new Map<string, Registration[]>();
  readonly #patterns: Registration[] = [];
  /** Functions of a module, by the name that spells their event (`invoice_paid`). */
  readonly #byHandlerName = new Map<string, WebhookHandler[]>();

  add(pattern: string, handler: WebhookHandler): void {
    if (typeof pattern !== 'string' || pattern === '')
      throw new TypeError('an event pattern must be a non-empty string');
    if (typeof handler !== 'function') throw new TypeError('a handler must be a function');
    const registration = { pattern, handler };
    if (pattern.endsWith('*')) {
      this.#patterns.push(registration);
    } else {
      const list = this.#exact.get(pattern);
      if (list === undefined) this.#exact.set(pattern, [registration]);
      else list.push(registration);
    }
  }

  /** A function named after its event: `invoice_paid` runs for `invoice.paid` (and `invoice-paid`, `invoice/paid`). */
  addNamed(name: string, handler: WebhookHandler): void {
    if (typeof handler !== 'function') throw new TypeError('a handler must be a function');
    const list = this.#byHandlerName.get(name);
    if (list === undefined) this.#byHandlerName.set(name, [handler]);
    else if (!list.includes(handler)) list.push(handler);
  }

  remove(pattern: string, handler: WebhookHandler): void {
    const list = pattern.endsWith('*') ? this.#patterns : this.#exact.get(pattern);
    if (list === undefined) return;
    const index = list.findIndex((r) => r.pattern === pattern && r.handler === handler);
    if (index >= 0) list.splice(index, 1);
  }

  /**
   * The handlers for an event routed under `names` (its full type first, then any broader names, as GitHub's
   * `issues` for `issues.opened`). A handler function runs once per event even when it is registered under
   * several patterns that match: running a side effect twice for one delivery is never what was meant.
   */
  handlersFor(names: readonly string[]): WebhookHandler[] {
    const found: WebhookHandler[] = [];
    for (const name of names) {
      const list = this.#exact.get(name);
      if (list !== undefined) for (const r of list) if (!found.includes(r.handler)) found.push(r.handler);
    }
    if (this.#byHandlerName.size > 0) {
      for (const name of names) {
        const list = this.#byHandlerName.get(handlerName(name));
        if (list !== undefined) for (const handler of list) if (!found.includes(handler)) found.push(handler);
      }
    }
    for (const r of this.#patterns) {
      if (!found.includes(r.handler) && names.some((name) => patternMatches(r.pattern, name))) found.push(r.handler);
    }
    return found;
  }
}
