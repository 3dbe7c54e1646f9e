// `hookline send <app> <type> <json|@file>`: publish one message.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { printOne } from '../output.js';
import { connect, path } from './shared.js';

/** The payload: inline JSON, or `@path` to read it from a file (`@-` for stdin). It must be a JSON object. */
export function readPayload(argument: string): Record<string, unknown> {
  let text = argument;
  if (argument.startsWith('@')) {
    const file = argument.slice(1);
    try {
      text = readFileSync(file === '-' ? 0 : file, 'utf8');
    } catch (error) {
      throw new CliError('payload_unreadable', `cannot read ${file}: ${(error as Error).message}`, null);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliError(
      'invalid_json',
      `the payload is not JSON: ${(error as Error).message}`,
      `quote it for your shell ('{"id":1}') or put it in a file and pass @file.json`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    // The code the API answers for the same payload (a message's payload is a JSON object).
    throw new CliError('validation', 'the payload must be a JSON object', 'wrap it: {"data": …}');
  }
  return parsed as Record<string, unknown>;
}

export function sendCommand(program: Command): void {
  program
    .command('send <app> <type> <payload>')
    .description('publish a message: the payload is JSON, or @file.json (@- reads stdin)')
    .option('--event-id <id>', 'your idempotency id: a second send with it is refused')
    .option('--channels <channels>', 'comma-separated channels')
    .option('--ordering-key <key>', 'the key ordered endpoints keep publish order within (a customer id, an order id)')
    .action(
      async (
        app: string,
        type: string,
        payloadArgument: string,
        options: { eventId?: string; channels?: string; orderingKey?: string },
        command: Command,
      ) => {
        const { client, out } = connect(command);
        const payload = readPayload(payloadArgument);
        const message = await client.request<{ id: string; eventType: string }>('POST', `${path.app(app)}/msg`, {
          eventType: type,
          payload,
          ...(options.eventId === undefined ? {} : { eventId: options.eventId }),
          ...(options.channels === undefined ? {} : { channels: options.channels.split(',').filter(Boolean) }),
          ...(options.orderingKey === undefined ? {} : { orderingKey: options.orderingKey }),
        });
        printOne(out, message, `sent ${message.id} (${message.eventType})`);
      },
    );
}
