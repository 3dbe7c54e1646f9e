// `hookline endpoints list|create|delete`.
import type { Command } from 'commander';
import { listAll } from '../client.js';
import { printOne, printRows } from '../output.js';
import { connect, path } from './shared.js';

interface EndpointOut {
  id: string;
  uid: string | null;
  url: string;
  disabled: boolean;
  disabledReason: string | null;
  filterTypes: string[] | null;
}

export function endpointsCommand(program: Command): void {
  const endpoints = program.command('endpoints').description("an application's endpoints: list, create, delete");

  endpoints
    .command('list <app>')
    .description("list an application's endpoints")
    .action(async (app: string, _options: object, command: Command) => {
      const { client, out } = connect(command);
      const data = await listAll<EndpointOut>(client, `${path.app(app)}/endpoint`);
      printRows(out, data, data, [
        ['ID', (ep) => ep.id],
        ['URL', (ep) => ep.url],
        ['STATE', (ep) => (ep.disabled ? `disabled (${ep.disabledReason ?? 'by hand'})` : 'enabled')],
        ['EVENT TYPES', (ep) => ep.filterTypes?.join(',') ?? '*'],
      ]);
    });

  endpoints
    .command('create <app> <url>')
    .description('add an endpoint; prints its id (the signing secret: GET …/secret or the dashboard)')
    .option('--event-types <types>', 'comma-separated event types it receives (default: all)')
    .option('--description <text>', 'a note for people')
    .option('--uid <uid>', 'your own id for it')
    .option('--non-retryable-statuses <policy>', 'statuses that fail for good, e.g. 4xx,!408,!429 (default: retry all)')
    .action(
      async (
        app: string,
        url: string,
        options: { eventTypes?: string; description?: string; uid?: string; nonRetryableStatuses?: string },
        command: Command,
      ) => {
        const { client, out } = connect(command);
        const body: Record<string, unknown> = { url };
        if (options.eventTypes !== undefined) body.filterTypes = options.eventTypes.split(',').filter(Boolean);
        if (options.description !== undefined) body.description = options.description;
        if (options.uid !== undefined) body.uid = options.uid;
        if (options.nonRetryableStatuses !== undefined) body.nonRetryableStatuses = options.nonRetryableStatuses;
        const endpoint = await client.request<EndpointOut>('POST', `${path.app(app)}/endpoint`, body);
        printOne(out, endpoint, `created endpoint ${endpoint.id} -> ${endpoint.url}`);
      },
    );

  endpoints
    .command('delete <app> <endpoint>')
    .description('delete an endpoint')
    .action(async (app: string, endpoint: string, _options: object, command: Command) => {
      const { client, out } = connect(command);
      await client.request('DELETE', path.endpoint(app, endpoint));
      printOne(out, { deleted: endpoint }, `deleted endpoint ${endpoint}`);
    });
}
