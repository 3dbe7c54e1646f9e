// A Prometheus-like scraper for the backlog figure: GET the contender's /metrics once a second while the runs go
// on, as a monitored deployment would. A scrape that holds the server's event loop then shows up twice: as its
// own latency here, and as throughput lost by the run it overlapped.
import { Agent, request } from 'undici';
import { percentile } from './fixed-rate.js';

export interface ScrapeSummary {
  scrapes: number;
  failed: number;
  /** Ticks that found the previous scrape still running (Prometheus, too, never overlaps scrapes of a target). */
  skipped: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  firstError: string | undefined;
}

/** A scrape that takes longer than this counts as failed; it also bounds `stop()`. */
const SCRAPE_TIMEOUT_MS = 30_000;

export function scrapeEverySecond(url: string, intervalMs = 1000): { stop(): Promise<ScrapeSummary> } {
  const agent = new Agent({ connections: 1 });
  const latencies: number[] = [];
  let failed = 0;
  let skipped = 0;
  let firstError: string | undefined;
  let inFlight: Promise<void> | undefined;

  const scrape = async () => {
    const start = performance.now();
    try {
      const response = await request(url, { dispatcher: agent, signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
      await response.body.arrayBuffer();
      if (response.statusCode !== 200) throw new Error(`GET ${url} answered ${response.statusCode}`);
      latencies.push(performance.now() - start);
    } catch (error) {
      failed++;
      firstError ??= error instanceof Error ? error.message : String(error);
    }
  };
  const tick = () => {
    if (inFlight !== undefined) {
      skipped++;
      return;
    }
    inFlight = scrape().finally(() => {
      inFlight = undefined;
    });
  };
  const timer = setInterval(tick, intervalMs);

  return {
    async stop() {
      clearInterval(timer);
      await inFlight;
      await agent.close();
      const sorted = latencies.sort((a, b) => a - b);
      return {
        scrapes: sorted.length + failed,
        failed,
        skipped,
        p50Ms: percentile(sorted, 0.5),
        p99Ms: percentile(sorted, 0.99),
        maxMs: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number),
        firstError,
      };
    },
  };
}
