// `hookline apps list|create|delete`.
import type { Command } from 'commander';
import { listAll } from '../client.js';
import { printOne, printRows } from '../output.js';
import { connect, path } from './shared.js';

interface ApplicationOut {
  id: string;
  uid: string | null;
  name: string;
  createdAt: string;
}

export function appsCommand(program: Command): void {
  const apps = program.command('apps').description('applications (tenants): list, create, delete');

  apps
    .command('list')
    .description('list every application')
    .action(async (_options: object, command: Command) => {
      const { client, out } = connect(command);
      const data = await listAll<ApplicationOut>(client, '/api/v1/app');
      printRows(out, data, data, [
        ['ID', (app) => app.id],
        ['UID', (app) => app.uid ?? ''],
        ['NAME', (app) => app.name],
        ['CREATED', (app) => app.createdAt],
      ]);
    });

  apps
    .command('create <name>')
    .description('create an application')
    .option('--uid <uid>', 'your own id for it, usable wherever its id is')
    .action(async (name: string, options: { uid?: string }, command: Command) => {
      const { client, out } = connect(command);
      const app = await client.request<ApplicationOut>('POST', '/api/v1/app', {
        name,
        ...(options.uid === undefined ? {} : { uid: options.uid }),
      });
      printOne(out, app, `created application ${app.id}${app.uid === null ? '' : ` (uid ${app.uid})`}: ${app.name}`);
    });

  apps
    .command('delete <app>')
    .description('delete an application with its endpoints, messages and attempts')
    .action(async (app: string, _options: object, command: Command) => {
      const { client, out } = connect(command);
      await client.request('DELETE', path.app(app));
      printOne(out, { deleted: app }, `deleted application ${app}`);
    });
}
