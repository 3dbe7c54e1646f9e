// The cross-process signal: LISTEN on one dedicated connection; a publish or replay in any process NOTIFYs in its
// own statement, so every worker looks at once. Polling stays the safety net. When the database restarts the
// connection is gone: it is opened again with capped, jittered backoff, and the workers are woken on reconnect
// (work may have arrived while nobody listened).
import type pg from 'pg';
import { pgDriver } from './pg-driver.js';

export const WORK_CHANNEL = 'hookline_work';

export interface WorkListenerLogger {
  warn(object: object, message?: string): void;
}

export interface WorkListenerOptions {
  config: pg.ClientConfig;
  onWork: () => void;
  logger: WorkListenerLogger;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

export class WorkListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  /** Resolves once listening (or stopped): tests and startup can wait for it. */
  private readyResolvers: Array<() => void> = [];
  private listening = false;

  constructor(private readonly options: WorkListenerOptions) {}

  start(): void {
    void this.connect();
  }

  isListening(): boolean {
    return this.listening;
  }

  /** Resolves when the listener is connected, or after `timeoutMs`, whichever is first. */
  ready(timeoutMs: number): Promise<boolean> {
    if (this.listening || this.stopped) return Promise.resolve(this.listening);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.listening), timeoutMs);
      this.readyResolvers.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pgDriver.Client(this.options.config);
    this.client = client;
    let lost = false;
    const onLost = (error?: Error) => {
      if (lost) return;
      lost = true;
      this.listening = false;
      client.removeAllListeners('notification');
      if (this.client === client) this.client = null;
      client.end().catch(() => undefined);
      if (!this.stopped) {
        this.options.logger.warn({ err: error }, 'LISTEN connection lost; reconnecting');
        this.scheduleReconnect();
      }
    };
    client.on('error', onLost);
    client.on('end', () => onLost());
    client.on('notification', () => this.options.onWork());
    try {
      await client.connect();
      await client.query(`LISTEN ${WORK_CHANNEL}`);
    } catch (error) {
      onLost(error as Error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.failures = 0;
    this.listening = true;
    for (const resolve of this.readyResolvers.splice(0)) resolve();
    this.options.onWork();
  }

  private scheduleReconnect(): void {
    const min = this.options.minBackoffMs ?? 100;
    const max = this.options.maxBackoffMs ?? 5000;
    const delay = Math.min(max, min * 2 ** this.failures) * (0.5 + Math.random() / 2);
    this.failures = Math.min(this.failures + 1, 20);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    for (const resolve of this.readyResolvers.splice(0)) resolve();
    const client = this.client;
    this.client = null;
    this.listening = false;
    if (client !== null) {
      client.removeAllListeners();
      client.on('error', () => undefined);
      await client.end().catch(() => undefined);
    }
  }
}
