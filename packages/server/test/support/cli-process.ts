// The `hookline` CLI as people and scripts run it: a real node process (TypeScript through tsx), stdout and stderr
// as pipes (not a TTY, as in CI), killed if it runs past a bound so a hung command fails its test.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const CLI_MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
/** tsx's loader by absolute URL: `--import tsx` resolves from the working directory, which a test may move. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
/** Each CLI run starts node and compiles TypeScript: seconds each on a busy machine. A bound, not a timing check. */
export const CLI_TEST_TIMEOUT_MS = 120_000;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  stdout: () => string;
  stderr: () => string;
  exited: Promise<CliRun>;
  kill(): void;
}

export function startCli(args: string[], env: Record<string, string>, options: { cwd?: string } = {}): RunningCli {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, CLI_MAIN, ...args], {
    env: { ...process.env, HOOKLINE_URL: '', HOOKLINE_TOKEN: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const exited = new Promise<CliRun>((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
  return { stdout: () => stdout, stderr: () => stderr, exited, kill: () => child.kill('SIGTERM') };
}

export function runCli(args: string[], env: Record<string, string> = {}, options: { cwd?: string } = {}) {
  return startCli(args, env, options).exited;
}
