// Handler registration besides `on()`: TC39 (TypeScript 5) decorators on class methods, `@handles('invoice.paid')`,
// registered with one `webhooks.register(instance)`; and a module of functions named after their events
// (`invoice_paid` handles `invoice.paid`) registered with `webhooks.registerModule(handlers)`. Both typed.
import type { EventFor, EventPattern } from './on.js';
import type { EventMap, WebhookEvent, WebhookHandler } from './types.js';

type Names<M> = Extract<keyof M, string>;

export interface DecoratedHandler {
  patterns: readonly string[];
  handler: WebhookHandler;
}

// Filled by each decorated method's initializer, which runs when an instance is constructed (or, for a static
// method, when the class is defined), with the method already bound: no metadata (Symbol.metadata is not in
// Node 20) and no walking of prototypes. Private methods (#onPaid) work too.
const decorated = new WeakMap<object, DecoratedHandler[]>();

function toPatterns(pattern: string | readonly string[]): string[] {
  const patterns = typeof pattern === 'string' ? [pattern] : [...pattern];
  if (patterns.length === 0 || patterns.some((p) => typeof p !== 'string' || p === '')) {
    throw new TypeError('@handles needs one or more non-empty event names or patterns');
  }
  return patterns;
}

/** A TC39 method decorator whose method receives the events of pattern P from map M. */
export type HandlesDecorator<M extends EventMap, P extends string> = <This, Return>(
  method: (this: This, event: EventFor<M, P>) => Return,
  context: ClassMethodDecoratorContext<This, (this: This, event: EventFor<M, P>) => Return>,
) => void;

function createHandles(pattern: string | readonly string[]) {
  const patterns = toPatterns(pattern);
  return (_method: (event: never) => unknown, context: ClassMethodDecoratorContext): void => {
    if (context.kind !== 'method') throw new TypeError('@handles decorates methods');
    context.addInitializer(function (this: unknown) {
      const target = this as object;
      // The method is read when an event comes, not here: a private method may not be installed on the instance
      // yet while initializers run (as esbuild and tsc lower them).
      const bound: WebhookHandler = (event) =>
        (context.access.get(target) as (e: WebhookEvent) => unknown).call(target, event);
      const list = decorated.get(target);
      if (list === undefined) decorated.set(target, [{ patterns, handler: bound }]);
      else list.push({ patterns, handler: bound });
    });
  };
}

/**
 * `@handles('invoice.paid')` on a method (or several names, or `invoice.*`), untyped: the method receives a
 * `WebhookEvent`. For a typed map, `const handles = typedHandles<Events>()`. Register with `webhooks.register(obj)`.
 */
export function handles<P extends string>(pattern: P | readonly P[]): HandlesDecorator<EventMap, P> {
  return createHandles(pattern) as HandlesDecorator<EventMap, P>;
}

/** `handles` checked against an event map: the pattern must name its events, the method take their type. */
export function typedHandles<M extends EventMap>(): <P extends EventPattern<M>>(
  pattern: P | readonly P[],
) => HandlesDecorator<M, P> {
  return <P extends EventPattern<M>>(pattern: P | readonly P[]) => createHandles(pattern) as HandlesDecorator<M, P>;
}

/** The handlers `@handles` put on an instance (or a class, for static methods). */
export function decoratedHandlers(target: object): readonly DecoratedHandler[] {
  return decorated.get(target) ?? [];
}

/** `invoice.paid` → `invoice_paid`, `orders/create` → `orders_create`: every character not allowed in a name → `_`. */
export function handlerName(eventName: string): string {
  return eventName.replace(/[^A-Za-z0-9_$]/g, '_');
}

type ToIdentifier<S extends string, Done extends string = ''> = S extends `${infer Head}${infer Tail}`
  ? ToIdentifier<Tail, `${Done}${Head extends '.' | '/' | '-' | ':' | ' ' ? '_' : Head}`>
  : Done;

/**
 * A module of handlers named after their events (`export function invoice_paid(event) {}`): with a typed map,
 * each name must spell one of its events and take that event's type.
 */
export type HandlerModule<M extends EventMap> =
  string extends Names<M>
    ? { readonly [name: string]: unknown }
    : { readonly [K in Names<M> as ToIdentifier<K>]?: (event: WebhookEvent<K, M[K]>) => unknown };

/** The functions of a module by handler name; other exports (constants, `default`) are left alone. */
export function moduleHandlers(module: object): Array<[name: string, handler: WebhookHandler]> {
  if (typeof module !== 'object' || module === null) throw new TypeError('registerModule takes a module object');
  const found: Array<[string, WebhookHandler]> = [];
  for (const name of Object.keys(module)) {
    const value = (module as Record<string, unknown>)[name];
    if (name !== 'default' && typeof value === 'function') found.push([name, value as WebhookHandler]);
  }
  return found;
}
