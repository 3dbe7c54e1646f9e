// `hookline endpoints list|create|update|secret|rotate|held|delete`. The CLI only turns flags into the API's JSON: what
// is a valid schedule, rate, header or status policy is the server's to say (its 422 is printed as it comes).
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { listAll } from '../client.js';
import { printOne, printRows } from '../output.js';
import { connect, path } from './shared.js';

interface EndpointOut {
  id: string;
  uid: string | null;
  url: string;
  description: string;
  disabled: boolean;
  disabledReason: string | null;
  filterTypes: string[] | null;
  throttleRate: number | null;
  retrySchedule: number[] | null;
  nonRetryableStatuses: string | null;
  signatureScheme: string;
  payloadFormat: string;
  payloadFilter: Record<string, unknown> | null;
  ordering: string;
  orderingOnDead: string;
}

/** A key held by its dead head (GET …/ordering/held). */
interface HeldKeyOut {
  orderingKey: string;
  msgId: string;
  since: string;
  lastError: string | null;
  lastStatusCode: number | null;
  waiting: number;
}

interface UpdateOptions {
  url?: string;
  description?: string;
  eventTypes?: string;
  retrySchedule?: string;
  throttle?: string;
  statusPolicy?: string;
  header?: string[];
  removeHeader?: string[];
  disable?: boolean;
  enable?: boolean;
  signatureScheme?: string;
  payloadFormat?: string;
  payloadFilter?: string;
  ordering?: string;
  onDeadHead?: string;
}

const SCHEME_FLAG = ['--signature-scheme <scheme>', 'standard-webhooks (default), hmac-sha256 or github'] as const;
const ORDERING_FLAG = [
  '--ordering <mode>',
  "fifo: one delivery at a time per message's ordering key, in publish order; none (default)",
] as const;
const DEAD_HEAD_FLAG = ['--on-dead-head <what>', 'for fifo: skip (default) or hold the key until replayed'] as const;
const FILTER_FLAG = [
  '--payload-filter <json>',
  'only payloads that match, MongoDB operators on payload paths, e.g. \'{"data.amount":{"$gte":100}}\' ("none": all)',
] as const;
const FORMAT_FLAG = [
  '--payload-format <format>',
  'json (default) or form (application/x-www-form-urlencoded)',
] as const;

/** Repeatable flags (--header a --header b) collect into a list. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

const CLEAR = new Set(['default', 'none', '']);

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** "5,60,300" as numbers; "default" clears it (the server's schedule). Whether the numbers make sense is the server's call. */
function retrySchedule(value: string): number[] | null {
  if (CLEAR.has(value.trim())) return null;
  return list(value).map((item) => {
    const seconds = Number(item);
    if (!Number.isFinite(seconds)) {
      throw new CliError('bad_flag', `--retry-schedule takes seconds, got ${JSON.stringify(item)}`, 'e.g. 5,60,300', 2);
    }
    return seconds;
  });
}

function throttle(value: string): number | null {
  if (CLEAR.has(value.trim())) return null;
  const rate = Number(value);
  if (!Number.isFinite(rate)) {
    throw new CliError('bad_flag', `--throttle takes deliveries per second, got ${JSON.stringify(value)}`, null, 2);
  }
  return rate;
}

/** The filter as JSON (the server says whether it is a valid filter); "none" clears it. */
function payloadFilter(value: string): unknown {
  if (CLEAR.has(value.trim())) return null;
  try {
    return JSON.parse(value);
  } catch {
    throw new CliError(
      'bad_flag',
      `--payload-filter takes a JSON object, got ${JSON.stringify(value)}`,
      'e.g. \'{"data.currency":"EUR"}\'',
      2,
    );
  }
}

/** "Name: value" into [name, value]. */
function header(value: string): [string, string] {
  const colon = value.indexOf(':');
  if (colon <= 0) {
    throw new CliError('bad_flag', `--header takes "Name: value", got ${JSON.stringify(value)}`, null, 2);
  }
  return [value.slice(0, colon).trim(), value.slice(colon + 1).trim()];
}

/** The endpoint PATCH body the flags describe (headers go to their own route). */
function patchOf(options: UpdateOptions): Record<string, unknown> {
  if (options.disable === true && options.enable === true) {
    throw new CliError('bad_flag', '--disable and --enable contradict each other', null, 2);
  }
  const patch: Record<string, unknown> = {};
  if (options.url !== undefined) patch.url = options.url;
  if (options.description !== undefined) patch.description = options.description;
  if (options.eventTypes !== undefined) {
    patch.filterTypes = options.eventTypes === 'all' || CLEAR.has(options.eventTypes) ? null : list(options.eventTypes);
  }
  if (options.retrySchedule !== undefined) patch.retrySchedule = retrySchedule(options.retrySchedule);
  if (options.throttle !== undefined) patch.throttleRate = throttle(options.throttle);
  if (options.statusPolicy !== undefined) {
    patch.nonRetryableStatuses = CLEAR.has(options.statusPolicy.trim()) ? null : options.statusPolicy;
  }
  if (options.signatureScheme !== undefined) patch.signatureScheme = options.signatureScheme;
  if (options.payloadFormat !== undefined) patch.payloadFormat = options.payloadFormat;
  if (options.ordering !== undefined) patch.ordering = options.ordering;
  if (options.onDeadHead !== undefined) patch.orderingOnDead = options.onDeadHead;
  if (options.payloadFilter !== undefined) patch.payloadFilter = payloadFilter(options.payloadFilter);
  if (options.disable === true) patch.disabled = true;
  if (options.enable === true) patch.disabled = false;
  return patch;
}

function describe(endpoint: EndpointOut): string {
  const lines = [
    `endpoint ${endpoint.id}${endpoint.uid === null ? '' : ` (uid ${endpoint.uid})`} -> ${endpoint.url}`,
    `  state:          ${endpoint.disabled ? `disabled (${endpoint.disabledReason ?? 'by hand'})` : 'enabled'}`,
    `  event types:    ${endpoint.filterTypes?.join(',') ?? 'all'}`,
    `  payload filter: ${endpoint.payloadFilter === null ? 'none (every payload)' : JSON.stringify(endpoint.payloadFilter)}`,
    `  retry schedule: ${endpoint.retrySchedule === null ? "the server's default" : `${endpoint.retrySchedule.join(', ')} s`}`,
    `  throttle:       ${endpoint.throttleRate === null ? 'none' : `${endpoint.throttleRate}/s`}`,
    `  status policy:  ${endpoint.nonRetryableStatuses ?? 'every failure is retried'}`,
    `  signing:        ${endpoint.signatureScheme}, body ${endpoint.payloadFormat}`,
    `  ordering:       ${endpoint.ordering === 'fifo' ? `fifo per ordering key, dead head: ${endpoint.orderingOnDead}` : 'none'}`,
  ];
  return lines.join('\n');
}

export function endpointsCommand(program: Command): void {
  const endpoints = program
    .command('endpoints')
    .description("an application's endpoints: list, create, update, secret, rotate, delete");

  endpoints
    .command('list <app>')
    .description("list an application's endpoints")
    .action(async (app: string, _options: object, command: Command) => {
      const { client, out } = connect(command);
      const data = await listAll<EndpointOut>(client, `${path.app(app)}/endpoint`);
      printRows(out, data, data, [
        ['ID', (ep) => ep.id],
        ['UID', (ep) => ep.uid ?? ''],
        ['URL', (ep) => ep.url],
        ['STATE', (ep) => (ep.disabled ? `disabled (${ep.disabledReason ?? 'by hand'})` : 'enabled')],
        ['EVENT TYPES', (ep) => ep.filterTypes?.join(',') ?? '*'],
      ]);
    });

  endpoints
    .command('create <app> <url>')
    .description('add an endpoint; prints its id (its signing secret: hookline endpoints secret <app> <endpoint>)')
    .option('--event-types <types>', 'comma-separated event types it receives (default: all)')
    .option('--description <text>', 'a note for people')
    .option('--uid <uid>', 'your own id for it')
    .option('--non-retryable-statuses <policy>', 'statuses that fail for good, e.g. 4xx,!408,!429 (default: retry all)')
    .option(...FILTER_FLAG)
    .option(...SCHEME_FLAG)
    .option(...FORMAT_FLAG)
    .option(...ORDERING_FLAG)
    .option(...DEAD_HEAD_FLAG)
    .option(
      '--key-type <type>',
      'the signing key generated: hmac (whsec_, default) or ed25519 (whsk_; receivers get its whpk_)',
    )
    .action(
      async (
        app: string,
        url: string,
        options: {
          eventTypes?: string;
          description?: string;
          uid?: string;
          nonRetryableStatuses?: string;
          signatureScheme?: string;
          payloadFormat?: string;
          payloadFilter?: string;
          keyType?: string;
          ordering?: string;
          onDeadHead?: string;
        },
        command: Command,
      ) => {
        const { client, out } = connect(command);
        const body: Record<string, unknown> = { url };
        if (options.eventTypes !== undefined) body.filterTypes = list(options.eventTypes);
        if (options.description !== undefined) body.description = options.description;
        if (options.uid !== undefined) body.uid = options.uid;
        if (options.nonRetryableStatuses !== undefined) body.nonRetryableStatuses = options.nonRetryableStatuses;
        if (options.signatureScheme !== undefined) body.signatureScheme = options.signatureScheme;
        if (options.payloadFormat !== undefined) body.payloadFormat = options.payloadFormat;
        if (options.payloadFilter !== undefined) body.payloadFilter = payloadFilter(options.payloadFilter);
        if (options.keyType !== undefined) body.keyType = options.keyType;
        if (options.ordering !== undefined) body.ordering = options.ordering;
        if (options.onDeadHead !== undefined) body.orderingOnDead = options.onDeadHead;
        const endpoint = await client.request<EndpointOut>('POST', `${path.app(app)}/endpoint`, body);
        printOne(out, endpoint, `created ${describe(endpoint).split('\n')[0]}`);
      },
    );

  endpoints
    .command('update <app> <endpoint>')
    .description(
      'change an endpoint: URL, event types, payload filter, retry schedule, throttle, headers, status policy, signing, disable/enable',
    )
    .option('--url <url>', 'where deliveries go')
    .option('--description <text>', 'a note for people')
    .option('--event-types <types>', 'comma-separated event types it receives ("all" or "none": every type)')
    .option(
      '--retry-schedule <seconds>',
      'seconds to wait after each failure, e.g. 5,60,300 ("default": the server\'s)',
    )
    .option('--throttle <rate>', 'at most this many deliveries per second ("none": unlimited)')
    .option('--status-policy <policy>', 'statuses that fail for good without retries, e.g. "4xx,!408,!429" ("none")')
    .option('--header <header>', 'a custom header sent with every delivery, "Name: value" (repeatable)', collect)
    .option('--remove-header <name>', 'stop sending this custom header (repeatable)', collect)
    .option(...FILTER_FLAG)
    .option(...SCHEME_FLAG)
    .option(...FORMAT_FLAG)
    .option(...ORDERING_FLAG)
    .option(...DEAD_HEAD_FLAG)
    .option('--disable', 'stop delivering to it (deliveries wait)')
    .option('--enable', 'deliver to it again')
    .action(async (app: string, endpoint: string, options: UpdateOptions, command: Command) => {
      const { client, out } = connect(command);
      const patch = patchOf(options);
      const set = Object.fromEntries((options.header ?? []).map(header));
      const remove = options.removeHeader ?? [];
      if (Object.keys(patch).length === 0 && Object.keys(set).length === 0 && remove.length === 0) {
        throw new CliError('nothing_to_do', 'no change given', 'see hookline endpoints update --help', 2);
      }
      if (Object.keys(set).length > 0 || remove.length > 0) {
        await client.request('PATCH', `${path.endpoint(app, endpoint)}/headers`, {
          headers: set,
          deleteHeaders: remove,
        });
      }
      const updated =
        Object.keys(patch).length > 0
          ? await client.request<EndpointOut>('PATCH', path.endpoint(app, endpoint), patch)
          : await client.request<EndpointOut>('GET', path.endpoint(app, endpoint));
      printOne(out, updated, describe(updated));
    });

  endpoints
    .command('secret <app> <endpoint>')
    .description("print what the receiver verifies with: the current whsec_ secret, or an Ed25519 key's whpk_")
    .action(async (app: string, endpoint: string, _options: object, command: Command) => {
      const { client, out } = connect(command);
      const secret = await client.request<{ key: string }>('GET', `${path.endpoint(app, endpoint)}/secret`);
      printOne(out, secret, secret.key);
    });

  endpoints
    .command('rotate <app> <endpoint>')
    .description('rotate the signing secret; the previous one keeps signing during the grace period (24 h by default)')
    .option('--key <secret>', 'the new key (whsec_… or whsk_…); default: a new random one')
    .option('--key-type <type>', 'the key generated: hmac (whsec_, default) or ed25519 (whsk_)')
    .action(async (app: string, endpoint: string, options: { key?: string; keyType?: string }, command: Command) => {
      const { client, out } = connect(command);
      await client.request('POST', `${path.endpoint(app, endpoint)}/secret/rotate`, {
        ...(options.key === undefined ? {} : { key: options.key }),
        ...(options.keyType === undefined ? {} : { keyType: options.keyType }),
      });
      const secret = await client.request<{ key: string }>('GET', `${path.endpoint(app, endpoint)}/secret`);
      printOne(
        out,
        { rotated: true, key: secret.key },
        `rotated; the new secret (the previous one keeps signing during the grace period):\n${secret.key}`,
      );
    });

  endpoints
    .command('held <app> <endpoint>')
    .description("an ordered endpoint's keys held by a dead head; resend the head to release one")
    .action(async (app: string, endpoint: string, _options: object, command: Command) => {
      const { client, out } = connect(command);
      const held = await client.request<{ data: HeldKeyOut[] }>('GET', `${path.endpoint(app, endpoint)}/ordering/held`);
      printRows(out, held, held.data, [
        ['ORDERING KEY', (key) => key.orderingKey],
        ['DEAD HEAD', (key) => key.msgId],
        ['SINCE', (key) => key.since],
        ['LAST ERROR', (key) => key.lastError ?? (key.lastStatusCode === null ? '' : `HTTP ${key.lastStatusCode}`)],
        ['WAITING', (key) => String(key.waiting)],
      ]);
    });

  endpoints
    .command('delete <app> <endpoint>')
    .description('delete an endpoint')
    .action(async (app: string, endpoint: string, _options: object, command: Command) => {
      const { client, out } = connect(command);
      await client.request('DELETE', path.endpoint(app, endpoint));
      printOne(out, { deleted: endpoint }, `deleted endpoint ${endpoint}`);
    });
}
