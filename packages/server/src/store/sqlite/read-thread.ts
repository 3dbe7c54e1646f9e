// A read-only connection to the store's file on a thread of its own, for reads whose cost grows with the data:
// counting a million queued deliveries takes 0.1-0.7 s, and on the event loop every send and publish waited
// behind it (issue 12). WAL lets this connection read beside the writer; it sees committed data only.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// The thread's code, evaluated in the worker: a file of its own would need a build step that the TypeScript
// sources under test do not have. The driver is resolved here and handed over by path, so the thread loads the
// same better-sqlite3 whatever the process's working directory.
const THREAD_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
const db = new Database(workerData.path, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const statements = new Map();
parentPort.on('message', ({ id, sql }) => {
  try {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    parentPort.postMessage({ id, row: statement.get() });
  } catch (error) {
    parentPort.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
`;

type Answer = { id: number; row: unknown } | { id: number; error: string };

interface Waiting {
  resolve(row: unknown): void;
  reject(error: Error): void;
}

export class SqliteReadThread {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private closed = false;

  constructor(private readonly path: string) {}

  /** The first row of `sql` (no parameters), read on the thread; the thread starts at the first read. */
  get(sql: string): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    // Held while a read waits (an awaited count keeps the process alive), let go when idle.
    if (this.waiting.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, sql });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = null;
    this.failAll(new Error('the store is closed'));
    await worker?.terminate();
  }

  private start(): Worker {
    const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(THREAD_CODE, { eval: true, workerData: { path: this.path, driverPath } });
    worker.on('message', (answer: Answer) => {
      const waiting = this.waiting.get(answer.id);
      if (waiting === undefined) return;
      this.waiting.delete(answer.id);
      // An idle reader must not keep the process alive; close() ends it with the store.
      if (this.waiting.size === 0) worker.unref();
      if ('error' in answer) waiting.reject(new Error(answer.error));
      else waiting.resolve(answer.row);
    });
    // The thread died (the file could not be opened, out of memory): the reads waiting on it fail, and the next
    // read starts a new thread.
    const lost = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      this.failAll(error);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the read thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    const waiting = [...this.waiting.values()];
    this.waiting.clear();
    for (const one of waiting) one.reject(error);
  }
}
