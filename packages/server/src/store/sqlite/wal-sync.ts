// Durable commits without blocking the event loop. Under synchronous=FULL, SQLite in WAL mode fsyncs the WAL file
// inside COMMIT: better-sqlite3 is synchronous, so every commit froze the whole process (API, engine, timers) for
// the length of an fsync, ~0.85 ms here, about 40 % of the process's time at full delivery rate. Instead the
// connection runs with synchronous=NORMAL (COMMIT writes the WAL frames but does not fsync them) and this class
// fsyncs the WAL file on libuv's thread pool; a committed batch is reported durable only after an fsync that
// STARTED after its COMMIT returned has completed. That is exactly FULL's guarantee (the commit's WAL frames are
// on disk before the caller is answered), with the wait moved off the event loop and one fsync shared by every
// batch committed while the previous one ran.
//
// Why it stays safe across checkpoints: a checkpoint (automatic, at commit) fsyncs the WAL before copying frames
// into the database file and fsyncs that file after, so a frame is always on disk in the WAL or in the database
// before SQLite may overwrite it when the WAL restarts. fsync works on the inode, so our own descriptor flushes
// what SQLite's descriptor wrote.
import { closeSync, fsync, openSync } from 'node:fs';

export type FsyncFunction = (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => void;

export class WalSync {
  private fd: number | null = null;
  private running = false;
  /** Batches committed since the running fsync started: they wait for the next one. */
  private waiting: Array<(error: Error | null) => void> = [];
  private closed = false;

  constructor(
    private readonly walPath: string,
    private readonly fsyncFile: FsyncFunction = fsync,
  ) {}

  /** Call right after a COMMIT returned; `done` runs once that commit is on disk (or with the fsync's error). */
  afterCommit(done: (error: Error | null) => void): void {
    this.waiting.push(done);
    if (!this.running) this.start();
  }

  private start(): void {
    const group = this.waiting;
    this.waiting = [];
    let fd: number;
    try {
      // Opened lazily: SQLite creates the -wal file with the first write. The connection keeps it in place
      // while it is open, so the descriptor stays valid until close().
      this.fd ??= openSync(this.walPath, 'r');
      fd = this.fd;
    } catch (error) {
      for (const done of group) done(error as Error);
      return;
    }
    this.running = true;
    this.fsyncFile(fd, (error) => {
      this.running = false;
      for (const done of group) done(error);
      if (this.waiting.length > 0 && !this.closed) this.start();
    });
  }

  /** Waits for every pending fsync, then closes the descriptor. */
  async close(): Promise<void> {
    if (this.running || this.waiting.length > 0) {
      await new Promise<void>((resolve) => this.waiting.push(() => resolve()));
    }
    this.closed = true;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
