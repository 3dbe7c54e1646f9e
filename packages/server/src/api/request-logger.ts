// Each request's logger, made when the request first logs. Fastify makes a pino child per request (its bindings
// serialised, its redaction set up), and a publish, which logs nothing when it goes well, paid for that on every
// request: about 1 % of the server's CPU per delivered event in the issue 12 profile.
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';

type Bindings = Parameters<FastifyBaseLogger['child']>[0];
type ChildOptions = Parameters<FastifyBaseLogger['child']>[1];
type LogFn = FastifyBaseLogger['info'];

/** The child logger Fastify would have made, made at the first line logged (or the first child asked for). */
class LazyChildLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | null = null;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly bindings: Bindings,
    private readonly options: ChildOptions,
  ) {}

  private get logger(): FastifyBaseLogger {
    this.made ??= this.parent.child(this.bindings, this.options);
    return this.made;
  }

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.logger.level = level;
  }

  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options);
  }

  // Each level forwards whatever it is given, as pino's own overloads take it.
  fatal: LogFn = (...args: Parameters<LogFn>) => this.logger.fatal(...args);
  error: LogFn = (...args: Parameters<LogFn>) => this.logger.error(...args);
  warn: LogFn = (...args: Parameters<LogFn>) => this.logger.warn(...args);
  info: LogFn = (...args: Parameters<LogFn>) => this.logger.info(...args);
  debug: LogFn = (...args: Parameters<LogFn>) => this.logger.debug(...args);
  trace: LogFn = (...args: Parameters<LogFn>) => this.logger.trace(...args);
  silent: LogFn = (...args: Parameters<LogFn>) => this.logger.silent(...args);
}

/** Fastify's childLoggerFactory option: the request's logger, made on first use. */
export const lazyRequestLogger: NonNullable<FastifyServerOptions['childLoggerFactory']> = (logger, bindings, options) =>
  new LazyChildLogger(logger, bindings, options);
