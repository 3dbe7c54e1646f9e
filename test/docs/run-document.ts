// Runs one Markdown document's snippets in order, as a reader pastes them, in its own copy of the project inside the
// docs sandbox. Shell state carries from block to block (exported variables, the current directory), as in one
// terminal; a background block (a server) keeps running while the later blocks talk to it. TypeScript blocks are
// type-checked first (strict, as the project), then run with tsx.
import { type ChildProcess, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { waitFor } from '../../packages/server/test/support/receiver.js';
import type { Snippet } from './markdown-snippets.js';
import { type DocsSandbox, readerEnvironment } from './sandbox.js';

/** Bounds so a broken snippet fails instead of hanging the suite; not timing assertions. */
const FOREGROUND_LIMIT_MS = 300_000;
const READY_LIMIT_MS = 180_000;
const STOP_LIMIT_MS = 15_000;

export interface DocumentReport {
  ran: number;
  skipped: Array<{ line: number; reason: string }>;
}

interface Background {
  snippet: Snippet;
  child: ChildProcess;
  output: () => string;
  exited: Promise<void>;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal colour codes are what it removes
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

function tail(text: string, lines = 40): string {
  return text.replace(ANSI, '').trimEnd().split('\n').slice(-lines).join('\n');
}

export class DocumentRunner {
  private readonly project: string;
  private readonly state: string;
  private readonly env = readerEnvironment();
  private readonly background: Background[] = [];

  constructor(
    private readonly sandbox: DocsSandbox,
    private readonly name: string,
    private readonly log: (line: string) => void,
  ) {
    this.project = sandbox.projectCopy(name);
    this.state = join(this.project, '.doc-test');
    mkdirSync(this.state, { recursive: true });
    writeFileSync(join(this.state, 'env'), '');
    writeFileSync(join(this.state, 'cwd'), this.project);
  }

  private where(snippet: Snippet): string {
    return `${this.name}:${snippet.line}`;
  }

  private cwd(): string {
    return readFileSync(join(this.state, 'cwd'), 'utf8').trim();
  }

  private snippetFile(snippet: Snippet): string {
    return join(this.state, `snippet-${snippet.line}.ts`);
  }

  /** The script a block runs as: the shell state in, the block, the state out (when it gets that far). */
  private script(snippet: Snippet, code: string, saveState: boolean): string {
    const path = join(this.state, `block-${snippet.line}${saveState ? '' : '-bg'}.sh`);
    const lines = [
      'set -euo pipefail',
      `cd "$(cat '${this.state}/cwd')"`,
      `source '${this.state}/env'`,
      // An HTTP error answer fails the block, as a reader would see it fail: curl as written, plus --fail-with-body.
      'curl() { command curl --fail-with-body "$@"; }',
      code,
    ];
    if (saveState) lines.push(`export -p > '${this.state}/env.next'`, `pwd > '${this.state}/cwd.next'`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  }

  private command(snippet: Snippet): string {
    if (snippet.runs === 'ts') return `'${this.project}/node_modules/.bin/tsx' '${this.snippetFile(snippet)}'`;
    return snippet.code;
  }

  /** Type-checks every TypeScript block of the document together (each a module of its own), strict. */
  private typecheck(snippets: readonly Snippet[]): void {
    const files: string[] = [];
    for (const snippet of snippets) {
      if (snippet.runs !== 'ts' || snippet.marker.skip !== null) continue;
      writeFileSync(this.snippetFile(snippet), snippet.code);
      files.push(`snippet-${snippet.line}.ts`);
    }
    if (files.length === 0) return;
    writeFileSync(
      join(this.state, 'tsconfig.json'),
      JSON.stringify({
        extends: '../tsconfig.base.json',
        compilerOptions: {
          noEmit: true,
          composite: false,
          declaration: false,
          declarationMap: false,
          moduleDetection: 'force',
          lib: ['ES2023', 'DOM'],
          types: ['node'],
        },
        files,
      }),
    );
    try {
      execFileSync(join(this.project, 'node_modules/.bin/tsc'), ['-p', join(this.state, 'tsconfig.json')], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      const output = String((error as { stdout?: Buffer }).stdout ?? error);
      throw new Error(`${this.name}: a TypeScript block does not type-check:\n${tail(output)}`);
    }
  }

  /** Runs a block to its end; with `eventually`, again (bounded) until it passes. */
  private async foreground(snippet: Snippet, code: string): Promise<void> {
    const started = Date.now();
    let problem = await this.attempt(snippet, code);
    while (problem !== null && snippet.marker.eventually && Date.now() - started < READY_LIMIT_MS) {
      // A poll while the reader's "moment" passes, not a timing assertion: the deadline only bounds a broken doc.
      await new Promise((resolve) => setTimeout(resolve, 500));
      problem = await this.attempt(snippet, code);
    }
    if (problem !== null) throw new Error(problem);
    for (const name of ['env', 'cwd']) {
      const next = join(this.state, `${name}.next`);
      if (existsSync(next)) renameSync(next, join(this.state, name));
    }
    this.log(`${this.where(snippet)} ${snippet.language}: ran (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }

  /** One run of a block: null when it exited as expected and printed what it must, else what went wrong. */
  private async attempt(snippet: Snippet, code: string): Promise<string | null> {
    const result = await this.sandbox.exec('bash', [this.script(snippet, code, true)], {
      cwd: this.project,
      env: this.env,
      timeoutMs: FOREGROUND_LIMIT_MS,
    });
    if (result.code !== snippet.marker.exit) {
      return `${this.where(snippet)}: the ${snippet.language} block exited with ${result.code} (expected ${snippet.marker.exit}):\n${code}\n--- its output:\n${tail(result.output)}`;
    }
    const missing = snippet.marker.output.find((expected) => !result.output.includes(expected));
    if (missing !== undefined) return `${this.where(snippet)}: the output lacks "${missing}":\n${tail(result.output)}`;
    return null;
  }

  private async startBackground(snippet: Snippet): Promise<void> {
    const child = this.sandbox.spawn('bash', [this.script(snippet, this.command(snippet), false)], {
      cwd: this.project,
      env: this.env,
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const running: Background = { snippet, child, output: () => output.replace(ANSI, ''), exited };
    this.background.push(running);
    const { ready, readyOutput, paste } = snippet.marker;
    await waitFor(
      async () => {
        if (child.exitCode !== null) {
          throw new Error(`${this.where(snippet)}: the background block exited (${child.exitCode}):\n${tail(output)}`);
        }
        if (readyOutput !== null && !running.output().includes(readyOutput)) return false;
        if (ready === null) return true;
        const probe = await this.sandbox.exec('curl', ['-s', '-o', '/dev/null', '-m', '2', ready], {
          cwd: this.project,
          env: this.env,
          timeoutMs: 10_000,
        });
        return probe.code === 0;
      },
      `${this.where(snippet)} to be ready`,
      READY_LIMIT_MS,
    );
    this.log(`${this.where(snippet)} ${snippet.language}: running in the background`);
    if (paste !== null) {
      const line = running
        .output()
        .split('\n')
        .map((text) => text.trim())
        .find((text) => text.startsWith(paste));
      if (line === undefined) {
        throw new Error(`${this.where(snippet)}: it printed no line starting with "${paste}":\n${tail(output)}`);
      }
      // The pasted line is a block of its own: the background block's expectations are not its.
      await this.foreground(
        { ...snippet, marker: { ...snippet.marker, output: [], exit: 0, eventually: false } },
        line,
      );
    }
  }

  /** Each background block's expected output must show before it is stopped (a delivery arrives a little later). */
  private async stopBackground(check: boolean): Promise<void> {
    try {
      if (check) {
        for (const running of this.background) {
          for (const expected of running.snippet.marker.output) {
            await waitFor(
              () => running.output().includes(expected),
              `${this.where(running.snippet)} to print "${expected}" (it printed:\n${tail(running.output())})`,
              READY_LIMIT_MS,
            );
          }
        }
      }
    } finally {
      for (const running of this.background) {
        const pid = running.child.pid;
        if (pid === undefined || running.child.exitCode !== null) continue;
        process.kill(-pid, 'SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([running.exited, new Promise((resolve) => (timer = setTimeout(resolve, STOP_LIMIT_MS)))]);
        clearTimeout(timer);
        if (running.child.exitCode === null) process.kill(-pid, 'SIGKILL');
      }
    }
  }

  async run(snippets: readonly Snippet[]): Promise<DocumentReport> {
    const report: DocumentReport = { ran: 0, skipped: [] };
    let failed = true;
    try {
      this.typecheck(snippets);
      for (const snippet of snippets) {
        if (snippet.marker.skip !== null) {
          report.skipped.push({ line: snippet.line, reason: snippet.marker.skip });
          this.log(`${this.where(snippet)} ${snippet.language}: not run: ${snippet.marker.skip}`);
          continue;
        }
        if (snippet.marker.file !== null) {
          writeFileSync(resolve(this.cwd(), snippet.marker.file), snippet.code);
          continue;
        }
        if (snippet.runs === null) continue;
        if (snippet.marker.background) await this.startBackground(snippet);
        else await this.foreground(snippet, this.command(snippet));
        report.ran += 1;
      }
      failed = false;
    } finally {
      try {
        await this.stopBackground(!failed);
      } finally {
        // Each copy is some 12,000 hard links: gone now, rather than all at once at the end.
        rmSync(this.project, { recursive: true, force: true });
      }
    }
    return report;
  }
}
