// How a SQLite worker learns that another connection committed work: SQLite has no NOTIFY, and better-sqlite3 no
// commit hook for another connection's commits, but `PRAGMA data_version` on this store's connection changes exactly
// when some other connection (the application's own in the transactional outbox, in this process or another; a
// second `hookline serve`; the CLI) has committed to the file since it was last read. Reading it is a look at the
// WAL index in shared memory, no disk I/O, so it is polled often: a commit wakes the worker within one interval.
import type { Statement } from 'better-sqlite3';

/** Often enough that a commit elsewhere is delivered as if it were signalled; a read of shared memory each time. */
export const COMMIT_WATCH_INTERVAL_MS = 25;

/**
 * Calls `onCommit` when data_version moved since the last look (never for this connection's own commits, which its
 * process signals in memory). Returns how to stop. The timer is unref'd: a watch alone keeps no process alive.
 */
export function watchOtherCommits(
  dataVersion: Statement,
  onCommit: () => void,
  intervalMs = COMMIT_WATCH_INTERVAL_MS,
): () => Promise<void> {
  let seen = dataVersion.get() as number;
  const timer = setInterval(() => {
    let version: number;
    try {
      version = dataVersion.get() as number;
    } catch {
      // A look that failed (the file busy in a WAL recovery, say) may have missed a commit: a wake too many costs
      // one empty claim, a wake missed costs a poll interval.
      onCommit();
      return;
    }
    if (version === seen) return;
    seen = version;
    onCommit();
  }, intervalMs);
  timer.unref();
  return async () => clearInterval(timer);
}
