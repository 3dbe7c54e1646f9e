// Each request's logger, made when the request first logs. Fastify makes a pino child per request (its bindings
// serialised, its redaction set up), and a publish, which logs nothing when it goes well, paid for that on every
// request: about 1 % of the server's CPU per delivered event in the issue 12 profile.
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildOptions = Parameters<FastifyBaseLogger['child']>[1];

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Calls a pino level method with whatever it was given (pino's overloads take it as it comes). */
function write(logger: FastifyBaseLogger, level: Level, args: unknown[]): void {
  (logger[level] as (...given: unknown[]) => void).apply(logger, args);
}

/**
 * The child logger Fastify would have made, made at the first line logged (or the first child asked for). The
 * levels are methods, on the prototype: functions made per instance would be seven allocations per request.
 */
class LazyChildLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | null = null;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildOptions,
  ) {}

  private logger(): FastifyBaseLogger {
    this.made ??= this.parent.child(this.bindings, this.options);
    return this.made;
  }

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.logger().level = level;
  }

  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.logger().child(bindings, options);
  }

  fatal(...args: unknown[]): void {
    write(this.logger(), 'fatal', args);
  }
  error(...args: unknown[]): void {
    write(this.logger(), 'error', args);
  }
  warn(...args: unknown[]): void {
    write(this.logger(), 'warn', args);
  }
  info(...args: unknown[]): void {
    write(this.logger(), 'info', args);
  }
  debug(...args: unknown[]): void {
    write(this.logger(), 'debug', args);
  }
  trace(...args: unknown[]): void {
    write(this.logger(), 'trace', args);
  }
  silent(...args: unknown[]): void {
    write(this.logger(), 'silent', args);
  }
}

/** Fastify's childLoggerFactory option: the request's logger, made on first use. */
export const lazyRequestLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = (logger, bindings, options) =>
  new LazyChildLogger(logger, bindings, options);
