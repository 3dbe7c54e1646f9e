// `hookline listen <app> --forward-to http://localhost:3000/webhooks`: reads the server's event stream for an
// application (outbound from here, so the local app need not be reachable from the server) and forwards each event
// to the local URL signed as a normal delivery (Standard Webhooks headers, with a secret for this session that is
// printed at start, or --secret), one line per event: time, type, status, duration.
import { standardWebhooks } from '@hookline/signatures';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { clientOptions } from '../client.js';
import type { GlobalFlags } from './shared.js';
import { path } from './shared.js';

interface ListenOptions {
  forwardTo: string;
  source?: string;
  events?: string;
  printJson?: boolean;
  replay?: string;
  secret?: string;
  count?: string;
}

interface ListenedEvent {
  id: string;
  eventType: string;
  payload: string;
  contentType: string;
  timestamp: string;
}

export interface ForwardResult {
  status: number | null;
  durationMs: number;
  error: string | null;
}

const FORWARD_TIMEOUT_MS = 30_000;

function nonNegative(value: string | undefined, flag: string, max: number): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new CliError('bad_flag', `${flag} must be an integer from 0 to ${max}`, null, 2);
  }
  return n;
}

/** One POST to the local app, signed as Hookline signs a delivery. */
export async function forwardEvent(url: string, secret: string, event: ListenedEvent): Promise<ForwardResult> {
  const started = performance.now();
  try {
    const signed = await standardWebhooks.sign({
      id: event.id,
      body: event.payload,
      secret,
      timestamp: Math.floor(Date.now() / 1000),
    });
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        ...signed,
        'webhook-event-type': event.eventType,
        'content-type': event.contentType,
        'user-agent': 'hookline-listen',
      },
      body: event.payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
    });
    await response.arrayBuffer();
    return { status: response.status, durationMs: performance.now() - started, error: null };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    const detail = cause?.code ?? (error instanceof Error ? error.message : String(error));
    return { status: null, durationMs: performance.now() - started, error: detail };
  }
}

export function listenLine(event: ListenedEvent, result: ForwardResult, at: Date): string {
  const status = result.status === null ? `ERR ${result.error}` : String(result.status);
  return `${at.toISOString()}  ${event.eventType}  ${status}  ${Math.round(result.durationMs)}ms  ${event.id}`;
}

/** Server-sent events from a byte stream: the `data` of each `message` event, parsed. */
async function* events(body: ReadableStream<Uint8Array>): AsyncGenerator<ListenedEvent> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n');
      if (data !== '') yield JSON.parse(data) as ListenedEvent;
      end = buffer.indexOf('\n\n');
    }
  }
}

export function listenCommand(program: Command): void {
  program
    .command('listen <app>')
    .description("forward an application's events to a local URL as they happen, signed as deliveries (Ctrl-C to stop)")
    .requiredOption('--forward-to <url>', 'the local webhook URL, e.g. http://localhost:3000/webhooks')
    .option('--source <source>', 'only events that arrived at this source (id or uid)')
    .option('--events <types>', 'only these event types, comma separated')
    .option('--print-json', 'print each event as JSON instead of a line')
    .option('--replay <n>', 'first forward the last n events (at most 100)')
    .option('--secret <whsec>', 'sign with this secret instead of one made for this session')
    .option('--count <n>', 'exit after forwarding this many events')
    .action(async (app: string, options: ListenOptions, command: Command) => {
      const { url, token } = clientOptions(command.optsWithGlobals<GlobalFlags>(), process.env);
      if (token === null) {
        throw new CliError('no_token', 'no API token given', 'set --token or HOOKLINE_TOKEN (an API key of the app)');
      }
      let forwardTo: URL;
      try {
        forwardTo = new URL(options.forwardTo);
      } catch {
        throw new CliError('bad_flag', `--forward-to must be a URL, got ${JSON.stringify(options.forwardTo)}`, null, 2);
      }
      const replay = nonNegative(options.replay, '--replay', 100);
      const count = nonNegative(options.count, '--count', Number.MAX_SAFE_INTEGER);
      const secret = options.secret ?? standardWebhooks.generateSecret();
      const query = new URLSearchParams();
      if (options.source !== undefined) query.set('source', options.source);
      if (options.events !== undefined) query.set('events', options.events);
      if (replay !== null) query.set('replay', String(replay));
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const response = await fetch(`${url}${path.app(app)}/listen?${query.toString()}`, {
          headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
          signal: controller.signal,
        });
        if (response.status !== 200 || response.body === null) {
          const text = await response.text();
          throw new CliError('listen_refused', `the server answered ${response.status}: ${text.slice(0, 300)}`, null);
        }
        // On stderr, so stdout is the events alone.
        process.stderr.write(
          `listening to ${app} on ${url}, forwarding to ${forwardTo.toString()}\nsigning secret (verify with it): ${secret}\n`,
        );
        let forwarded = 0;
        for await (const event of events(response.body)) {
          const result = await forwardEvent(forwardTo.toString(), secret, event);
          process.stdout.write(
            options.printJson === true
              ? `${JSON.stringify({ ...event, forwarded: result })}\n`
              : `${listenLine(event, result, new Date())}\n`,
          );
          forwarded++;
          if (count !== null && forwarded >= count) break;
        }
      } catch (error) {
        if (!controller.signal.aborted) throw error;
      } finally {
        controller.abort();
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
