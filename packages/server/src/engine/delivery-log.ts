// What the server log says while deliveries fail: failed attempts and dead deliveries at most one line per endpoint
// per interval (the next line, or a summary when the interval ends, counts the ones not logged), circuits opening
// and closing, endpoints disabled. Never a payload, a response body, a header or a full URL: the origin only, since
// tokens ride in the paths and queries of webhook URLs.
import type { EngineLogger } from './delivery-engine.js';

export interface DeliveryLogOptions {
  logger: EngineLogger;
  /** At most one line per endpoint per this many ms for failed attempts, and one for dead deliveries. */
  intervalMs: number;
  now: () => number;
}

/** One failed attempt, as the log tells it. */
export interface FailedAttemptEvent {
  appId: string;
  endpointId: string;
  deliveryId: string;
  url: string;
  statusCode: number | null;
  error: string | null;
  /** The delivery has no retry left after this attempt. */
  dead: boolean;
}

type Kind = 'failed' | 'dead';

/** An interval during which lines of one kind for one endpoint are counted rather than written. */
interface Quiet {
  startedAt: number;
  suppressed: number;
  /** What the last suppressed one said, for the summary line. */
  last: Record<string, unknown>;
}

const MESSAGES: Record<Kind, { line: string; summary: string }> = {
  failed: {
    line: 'delivery attempt failed',
    summary: 'delivery attempts failed (not logged one by one)',
  },
  dead: {
    line: 'delivery is dead: no retry left',
    summary: 'deliveries went dead (not logged one by one)',
  },
};

export class DeliveryLog {
  private readonly quiet = new Map<string, Quiet>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: DeliveryLogOptions) {}

  /** Writes the counts of intervals that ended, every interval, until stop(). */
  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.flush(false), this.options.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and writes every count not yet written. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.flush(true);
  }

  attemptFailed(event: FailedAttemptEvent): void {
    const fields = {
      appId: event.appId,
      endpointId: event.endpointId,
      origin: originOf(event.url),
      statusCode: event.statusCode,
      error: event.error,
    };
    this.limited('failed', event.endpointId, { ...fields, deliveryId: event.deliveryId });
    if (event.dead) this.limited('dead', event.endpointId, { ...fields, deliveryId: event.deliveryId });
  }

  circuitOpened(endpointId: string, reopensAt: number | null): void {
    this.options.logger.warn(
      { endpointId, reopensAt: reopensAt === null ? null : new Date(reopensAt).toISOString() },
      'circuit opened: deliveries to the endpoint wait until it reopens',
    );
  }

  circuitClosed(endpointId: string): void {
    this.options.logger.info({ endpointId }, 'circuit closed: the endpoint answers again');
  }

  endpointDisabled(event: { appId: string; endpointId: string; reason: string }): void {
    this.options.logger.warn(event, 'endpoint disabled');
  }

  private limited(kind: Kind, endpointId: string, fields: Record<string, unknown>): void {
    const key = `${kind}:${endpointId}`;
    const now = this.options.now();
    const quiet = this.quiet.get(key);
    if (quiet !== undefined && now - quiet.startedAt < this.options.intervalMs) {
      quiet.suppressed++;
      quiet.last = fields;
      return;
    }
    // The interval ended with no summary written yet (the timer has not run): this line carries its count.
    const suppressed = quiet?.suppressed ?? 0;
    this.quiet.set(key, { startedAt: now, suppressed: 0, last: fields });
    this.options.logger.warn({ ...fields, suppressed }, MESSAGES[kind].line);
  }

  /** Summaries of the intervals that ended (all of them when `all`), each forgotten once written. */
  private flush(all: boolean): void {
    const now = this.options.now();
    for (const [key, quiet] of this.quiet) {
      if (!all && now - quiet.startedAt < this.options.intervalMs) continue;
      this.quiet.delete(key);
      if (quiet.suppressed === 0) continue;
      const kind = key.slice(0, key.indexOf(':')) as Kind;
      const { deliveryId: _one, ...last } = quiet.last;
      this.options.logger.warn(
        { ...last, suppressed: quiet.suppressed, sinceMs: now - quiet.startedAt },
        MESSAGES[kind].summary,
      );
    }
  }
}

function originOf(url: string): string {
  try {
    const parsed = new URL(url);
    // A broker URL (amqp:, nats:, redis:) has no web origin; its host says where, and never its credentials.
    return parsed.origin === 'null' ? `${parsed.protocol}//${parsed.host}` : parsed.origin;
  } catch {
    return '(not a URL)';
  }
}
