// `hookline operational-webhooks list|create|delete|secret`: the operator's operational webhook endpoints
// (/api/v1/operational-webhook/endpoint, admin token only), where Hookline tells what happens to every application's
// endpoints and deliveries (endpoint.created … message.attempt.exhausted). The CLI only turns flags into the API's
// JSON: which event types exist and what a valid URL is are the server's to say (its 422 is printed as it comes).
import type { Command } from 'commander';
import { listAll } from '../client.js';
import { printOne, printRows } from '../output.js';
import { connect } from './shared.js';

const BASE = '/api/v1/operational-webhook/endpoint';

interface OperationalEndpointOut {
  id: string;
  uid: string | null;
  url: string;
  description: string;
  disabled?: boolean;
  filterTypes: string[] | null;
}

const at = (endpoint: string) => `${BASE}/${encodeURIComponent(endpoint)}`;

export function operationalWebhooksCommand(program: Command): void {
  const operational = program
    .command('operational-webhooks')
    .description(
      "where Hookline tells the operator about every application's endpoints and failing deliveries: list, create, delete, secret (admin token)",
    );

  operational
    .command('list')
    .description('list the operational webhook endpoints')
    .action(async (_options: object, command: Command) => {
      const { client, out } = connect(command);
      const data = await listAll<OperationalEndpointOut>(client, BASE);
      printRows(out, data, data, [
        ['ID', (ep) => ep.id],
        ['UID', (ep) => ep.uid ?? ''],
        ['URL', (ep) => ep.url],
        ['STATE', (ep) => (ep.disabled === true ? 'disabled' : 'enabled')],
        ['EVENT TYPES', (ep) => ep.filterTypes?.join(',') ?? '*'],
      ]);
    });

  operational
    .command('create <url>')
    .description('add an operational webhook endpoint; its signing secret: hookline operational-webhooks secret <id>')
    .option(
      '--event-types <types>',
      'comma-separated operational events it receives, e.g. endpoint.disabled,message.attempt.exhausted (default: all)',
    )
    .option('--description <text>', 'a note for people')
    .option('--uid <uid>', 'your own id for it')
    .action(
      async (url: string, options: { eventTypes?: string; description?: string; uid?: string }, command: Command) => {
        const { client, out } = connect(command);
        const body: Record<string, unknown> = { url };
        if (options.eventTypes !== undefined) {
          body.filterTypes = options.eventTypes
            .split(',')
            .map((type) => type.trim())
            .filter(Boolean);
        }
        if (options.description !== undefined) body.description = options.description;
        if (options.uid !== undefined) body.uid = options.uid;
        const endpoint = await client.request<OperationalEndpointOut>('POST', BASE, body);
        printOne(
          out,
          endpoint,
          `created operational webhook ${endpoint.id}${endpoint.uid === null ? '' : ` (uid ${endpoint.uid})`} -> ${endpoint.url}`,
        );
      },
    );

  operational
    .command('secret <endpoint>')
    .description('print the whsec_ secret the operational webhook receiver verifies with')
    .action(async (endpoint: string, _options: object, command: Command) => {
      const { client, out } = connect(command);
      const secret = await client.request<{ key: string }>('GET', `${at(endpoint)}/secret`);
      printOne(out, secret, secret.key);
    });

  operational
    .command('delete <endpoint>')
    .description('delete an operational webhook endpoint (by id or uid)')
    .action(async (endpoint: string, _options: object, command: Command) => {
      const { client, out } = connect(command);
      await client.request('DELETE', at(endpoint));
      printOne(out, { deleted: endpoint }, `deleted operational webhook ${endpoint}`);
    });
}
