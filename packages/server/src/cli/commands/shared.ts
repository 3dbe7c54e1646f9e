// What every command that talks to a server needs: the client and the output mode, from global flags and env.
import type { Command } from 'commander';
import { clientOptions, HooklineClient } from '../client.js';
import { type Output, stdoutOutput } from '../output.js';

export interface GlobalFlags {
  url?: string;
  token?: string;
  json?: boolean;
}

export function connect(command: Command): { client: HooklineClient; out: Output } {
  const flags = command.optsWithGlobals<GlobalFlags>();
  return { client: new HooklineClient(clientOptions(flags, process.env)), out: stdoutOutput(flags.json === true) };
}

export const path = {
  app: (app: string) => `/api/v1/app/${encodeURIComponent(app)}`,
  endpoint: (app: string, endpoint: string) =>
    `/api/v1/app/${encodeURIComponent(app)}/endpoint/${encodeURIComponent(endpoint)}`,
};
