// The pipeline's steps answer at once when they can (a verify with an imported key, the memory dedupe store, a
// handler that returns no promise) and only wait when a step must. Each `await` is a microtask turn and a
// promise per step, which on a ~25 µs request is measurable; so the steps pass values, or promises where needed.

/** A value now, or a promise of it when the step had to wait. */
export type MaybePromise<T> = T | Promise<T>;

/** True for anything with a `then` method: what `await` would wait for. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** `next(value)` now when the value is here, else once it arrives. */
export function andThen<T, R>(value: MaybePromise<T>, next: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}
