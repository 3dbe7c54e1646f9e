// Durable commits without holding the event loop, for the durable relay: the connection runs WAL with
// synchronous=NORMAL (COMMIT writes the WAL frames but does not fsync them), and this class fsyncs the `-wal` file on
// libuv's thread pool. A commit counts as on disk only once an fsync that STARTED after its COMMIT returned has
// finished, which is synchronous=FULL's guarantee with the wait moved off the main thread; one fsync covers every
// commit made while the previous one ran. The same scheme as Hookline's store/sqlite/wal-sync.ts, written again
// here because the peer stands alone, as the relay does.
//
// Checkpoints stay safe: one fsyncs the WAL before copying its frames into the database file and fsyncs that file
// after, so a frame is on disk in one of the two before SQLite may overwrite it. fsync acts on the inode, so this
// descriptor flushes what SQLite's own descriptor wrote.
import { closeSync, fsync, openSync } from 'node:fs';

export type FsyncFunction = (fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => void;

export class WalFsync {
  private fd: number | null = null;
  private running = false;
  /** Commits made since the running fsync started: the next fsync covers them. */
  private waiting: Array<() => void> = [];

  constructor(
    private readonly walPath: string,
    /** Injected by tests, to hold an fsync and see what waits for it. */
    private readonly fsyncFile: FsyncFunction = fsync,
  ) {}

  /** Call right after a COMMIT returned; `onDisk` runs once that commit is on disk. */
  afterCommit(onDisk: () => void): void {
    this.waiting.push(onDisk);
    if (!this.running) this.start();
  }

  private start(): void {
    const group = this.waiting;
    this.waiting = [];
    // Opened at the first fsync: SQLite creates the `-wal` file with the first write and keeps it in place while
    // the connection is open.
    this.fd ??= openSync(this.walPath, 'r');
    this.running = true;
    this.fsyncFile(this.fd, (error) => {
      // A failed fsync leaves unknown what reached the disk (the kernel may drop the dirty pages and report
      // success next time): no publish may be acknowledged after it, so the process stops, and a restart
      // delivers what the file holds.
      if (error !== null) throw error;
      this.running = false;
      for (const onDisk of group) onDisk();
      if (this.waiting.length > 0) this.start();
    });
  }

  /** Waits for the running fsync (its descriptor must stay open until it ends), then closes the descriptor. */
  async close(): Promise<void> {
    if (this.running) await new Promise<void>((resolve) => this.waiting.push(resolve));
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
