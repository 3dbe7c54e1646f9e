// Starts a script as a child process in its own process group (TypeScript through tsx's loader, JavaScript on
// plain node), waits for the line it prints when ready, and stops the whole group. Every child started here is also killed when the harness exits, however it
// exits, so a failed run leaves no receiver or worker behind.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** What `readyLine` made of the child's ready line (by default the first JSON object it printed on stdout). */
  readonly ready: Record<string, unknown>;
  stop(): Promise<void>;
}

const live = new Set<number>();
process.once('exit', () => {
  for (const pid of live) killGroup(pid, 'SIGKILL');
});

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone: nothing left to stop.
  }
}

function tsxLoader(): string {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return 'tsx';
  }
}

/** The default ready line: the first stdout line that parses as a JSON object. */
function jsonObjectLine(line: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `node --import tsx <file.ts> ...args`, or `node <file.js> ...args` (no loader: its start-up time and memory
 * are then the program's own). Resolves with the first stdout line `readyLine` accepts; rejects (and kills the
 * child) if it exits or stays silent for `readyTimeoutMs`.
 */
export async function startChild(
  file: string,
  args: readonly string[],
  options: {
    readyTimeoutMs: number;
    env?: NodeJS.ProcessEnv;
    onLine?: (line: string) => void;
    /** Flags for node itself, before the file (e.g. `--cpu-prof`). */
    nodeArgs?: readonly string[];
    /** What the ready line says, or undefined for any other line (passed on to `onLine`). */
    readyLine?: (line: string) => Record<string, unknown> | undefined;
  },
): Promise<Child> {
  const loader = /\.[cm]?js$/.test(file) ? [] : ['--import', tsxLoader()];
  const readyLine = options.readyLine ?? jsonObjectLine;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, file, ...args], {
    detached: true,
    // stdin stays an open pipe: the child exits when it closes, so even a SIGKILLed harness leaves no orphan.
    stdio: ['pipe', 'pipe', 'inherit'],
    env: options.env ?? process.env,
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${file}`);
  live.add(pid);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  exited.then(() => live.delete(pid));

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    killGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };

  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  try {
    const ready = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${file} printed no ready line in ${options.readyTimeoutMs} ms`)),
        options.readyTimeoutMs,
      );
      let settled = false;
      lines.on('line', (line) => {
        const ready = settled ? undefined : readyLine(line);
        if (ready !== undefined) {
          settled = true;
          clearTimeout(timer);
          resolve(ready);
          return;
        }
        options.onLine?.(line);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (!settled) reject(new Error(`${file} exited before it was ready (code ${code}, signal ${signal})`));
      });
    });
    return { process: child, pid, ready, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** For the child side: exit when the parent goes away (stdin closes), and on SIGTERM. */
export function exitWithParent(cleanup: () => Promise<void> | void = () => {}): void {
  let exiting = false;
  const exit = async () => {
    if (exiting) return;
    exiting = true;
    const timer = setTimeout(() => process.exit(1), 2000);
    timer.unref();
    try {
      await cleanup();
    } finally {
      process.exit(0);
    }
  };
  process.stdin.on('end', exit);
  process.stdin.on('error', exit);
  process.stdin.resume();
  process.once('SIGTERM', exit);
}
