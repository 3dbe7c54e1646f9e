// The engine's HTTP dispatcher, made at the first send: undici is about 20 MiB of a process at start (measured by
// importing it alone), and a process that has not sent yet (an idle server, an `api`-role process that never
// sends) need not carry it (issue 12, goal 5: idle RSS).
import type { Dispatcher } from 'undici';

/** What sending needs of undici's dispatcher; an undici Agent or Pool is one. */
export interface SendDispatcher {
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean;
}

export class DispatcherClosedError extends Error {
  readonly code = 'HOOKLINE_DISPATCHER_CLOSED';
  override readonly name = 'DispatcherClosedError';
}

/** Dispatches through the dispatcher `create` makes, called (and undici imported) at the first dispatch only. */
export class LazyDispatcher implements SendDispatcher {
  private dispatcher: Dispatcher | null = null;
  private loading: Promise<Dispatcher> | null = null;
  private closed = false;

  constructor(private readonly create: () => Promise<Dispatcher>) {}

  /** Whether undici has been loaded (the first send happened). */
  get loaded(): boolean {
    return this.dispatcher !== null;
  }

  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.dispatcher !== null) return this.dispatcher.dispatch(options, handler);
    const fail = (error: unknown) => handler.onError?.(error instanceof Error ? error : new Error(String(error)));
    if (this.closed) {
      fail(new DispatcherClosedError('the engine has stopped sending'));
      return false;
    }
    this.loading ??= this.create().then((dispatcher) => {
      this.dispatcher = dispatcher;
      return dispatcher;
    });
    this.loading.then((dispatcher) => {
      try {
        dispatcher.dispatch(options, handler);
      } catch (error) {
        fail(error);
      }
    }, fail);
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.loading === null) return;
    const dispatcher = await this.loading.catch(() => null);
    await dispatcher?.close();
  }
}
