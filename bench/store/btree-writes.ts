// What one delivered event writes in Hookline's SQLite store, statement by statement and B-tree by B-tree: one
// publish (with an eventId, as bench/delivery sends), one claim, one successful attempt recorded, each phase its own
// transaction on a fresh file, as the engine drives them. A count, not a timing: it does not move with the load.
// Entries written are read off the data itself: every table's rows and every index's entries (its key columns and
// rowid, only the rows its WHERE admits) before and after each phase; an entry added, removed or (a table row)
// rewritten counts one. Also the WAL frames each phase's commit wrote (pages, autocheckpoint off), and the query plan
// of every statement run. Run: npx tsx bench/store/btree-writes.ts
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { SqliteStore } from '../../packages/server/src/store/sqlite/sqlite-store.js';
import { payload, requestHeaders } from './hookline-phases.js';

type Db = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;

/** Every statement run (its text and first arguments), while `recording` is on. */
const ran: Array<{ text: string; args: unknown[] }> = [];
let recording = false;

/** Statements are traced at run/get/all: the store prepares each text once, so tracing prepare would miss reruns. */
function traceStatements(db: Db): void {
  const prototype = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<string, unknown>;
  for (const method of ['run', 'get', 'all', 'iterate']) {
    const original = prototype[method] as (this: Statement, ...args: unknown[]) => unknown;
    prototype[method] = function (this: Statement, ...args: unknown[]) {
      if (recording) ran.push({ text: this.source.replace(/\s+/g, ' ').trim(), args });
      return original.apply(this, args);
    };
  }
}

interface Btree {
  name: string;
  table: string;
  /** The statement that lists this B-tree's content: one string per entry (or per row, for a table). */
  contents: string;
}

/** Every B-tree of the hot tables: the table itself (when it has rowids) and each index, partial ones by their WHERE. */
function btreesOf(db: Db, tables: readonly string[]): Btree[] {
  const btrees: Btree[] = [];
  for (const table of tables) {
    const schema = db
      .prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?")
      .pluck()
      .get(table) as string;
    const withoutRowid = /WITHOUT\s+ROWID/i.test(schema);
    const all = (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string; pk: number }>)
      .sort((a, b) => (withoutRowid ? b.pk - a.pk : 0))
      .map((c) => c.name);
    btrees.push({
      name: withoutRowid ? `${table} (WITHOUT ROWID: the primary key's B-tree)` : `${table} (rowid table)`,
      table,
      contents: `SELECT json_array(${withoutRowid ? '' : 'rowid, '}${all.join(', ')}) FROM ${table}`,
    });
    const indexes = db.prepare(`PRAGMA index_list(${table})`).all() as Array<{
      name: string;
      origin: string;
      partial: number;
    }>;
    for (const index of indexes) {
      if (withoutRowid && index.origin === 'pk') continue; // the table's own B-tree
      const columns = (db.prepare(`PRAGMA index_info(${index.name})`).all() as Array<{ name: string }>).map(
        (c) => c.name,
      );
      const sql = db.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').pluck().get(index.name) as string | null;
      const where = index.partial === 1 && sql !== null ? sql.slice(sql.search(/\bWHERE\b/i)) : '';
      btrees.push({
        name: `${index.name}${index.origin === 'pk' ? ' (primary key)' : index.origin === 'u' ? ' (UNIQUE)' : ''}${where === '' ? '' : ' (partial)'}`,
        table,
        contents: `SELECT json_array(${[...columns, withoutRowid ? null : 'rowid'].filter((c) => c !== null).join(', ')}) FROM ${table} ${where}`,
      });
    }
  }
  return btrees;
}

function snapshot(db: Db, btrees: readonly Btree[]): Map<string, Set<string>> {
  return new Map(btrees.map((b) => [b.name, new Set(db.prepare(b.contents).pluck().all() as string[])]));
}

/** Entries added, removed or rewritten per B-tree between two snapshots. A table row changed in place counts once. */
function written(before: Map<string, Set<string>>, after: Map<string, Set<string>>, btrees: readonly Btree[]) {
  const counts: Array<{ name: string; added: number; removed: number; rewritten: number }> = [];
  for (const b of btrees) {
    const was = before.get(b.name) as Set<string>;
    const now = after.get(b.name) as Set<string>;
    let added = [...now].filter((e) => !was.has(e)).length;
    let removed = [...was].filter((e) => !now.has(e)).length;
    let rewritten = 0;
    if (b.name.includes('(rowid table)') || b.name.includes('WITHOUT ROWID')) {
      // A row whose key is in both but whose content changed is a rewrite in place, not an add and a remove.
      const key = (e: string) => JSON.stringify((JSON.parse(e) as unknown[])[0]);
      const wasKeys = new Set([...was].filter((e) => !now.has(e)).map(key));
      rewritten = [...now].filter((e) => !was.has(e) && wasKeys.has(key(e))).length;
      added -= rewritten;
      removed -= rewritten;
    }
    if (added + removed + rewritten > 0) counts.push({ name: b.name, added, removed, rewritten });
  }
  return counts;
}

const walFrames = (path: string) => {
  try {
    return Math.max(0, Math.round((statSync(`${path}-wal`).size - 32) / (4096 + 24)));
  } catch {
    return 0;
  }
};

const dir = mkdtempSync(join(tmpdir(), 'hookline-btree-writes-'));
try {
  const path = join(dir, 'hookline.db');
  const store = new SqliteStore({ path });
  await store.migrate();
  traceStatements(store.db);
  const app = await store.createApplication({ name: 'bench' }, Date.now());
  await store.createEndpoint(
    app.id,
    { url: 'http://127.0.0.1:9/bench', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
    Date.now(),
  );
  // One warm event first, so caches are filled and the counted event pays what a busy server's events pay.
  const tables = ['messages', 'deliveries', 'attempts', 'endpoints', 'ordering_lines'];
  const btrees = btreesOf(store.db, tables);
  store.db.pragma('wal_autocheckpoint = 0');
  let total = 0;
  let totalFrames = 0;
  for (const round of ['warm-up', 'counted']) {
    const phases: Array<[string, () => Promise<unknown>]> = [];
    let claimed: Awaited<ReturnType<SqliteStore['claimDueDeliveries']>> = [];
    const now = Date.now();
    phases.push([
      'publish',
      () => store.publish(app.id, { eventType: 'bench.event', eventId: `e-${round}`, payload }, now),
    ]);
    phases.push([
      'claim',
      async () => {
        claimed = await store.claimDueDeliveries({
          now: now + 1,
          leaseUntil: now + 30_000,
          limit: 64,
          excludeEndpointIds: [],
          perEndpointLimit: 64,
          endpointCaps: {},
        });
      },
    ]);
    phases.push([
      'record',
      () =>
        store.recordAttempts(
          claimed.map((item) => ({
            deliveryId: item.delivery.id,
            leaseUntil: now + 30_000,
            outcome: 'succeeded' as const,
            trigger: 'scheduled' as const,
            url: item.endpoint.url,
            statusCode: 200,
            responseBody: '',
            durationMs: 1,
            error: null,
            requestHeaders,
            at: now + 2,
            next: { status: 'dead' as const },
            disableEndpoint: null,
            circuit: 'success' as const,
          })),
        ),
    ]);
    for (const [phase, work] of phases) {
      const before = snapshot(store.db, btrees);
      const framesBefore = walFrames(path);
      ran.length = 0;
      recording = true;
      await work();
      recording = false;
      if (round !== 'counted') continue;
      const counts = written(before, snapshot(store.db, btrees), btrees);
      const entries = counts.reduce((sum, c) => sum + c.added + c.removed + c.rewritten, 0);
      const frames = walFrames(path) - framesBefore;
      total += entries;
      totalFrames += frames;
      console.log(`\n## ${phase}: ${entries} B-tree entries written, ${frames} WAL frames (pages) committed`);
      console.log('statements run:');
      for (const { text, args } of ran) {
        console.log(`  ${text.slice(0, 160)}${text.length > 160 ? ' …' : ''}`);
        if (/^(SELECT|UPDATE|INSERT|DELETE|WITH)/i.test(text)) {
          try {
            const plan = store.db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...(args as unknown[])) as Array<{
              detail: string;
            }>;
            for (const step of plan) console.log(`      plan: ${step.detail}`);
          } catch (error) {
            console.log(`      plan: (${(error as Error).message})`);
          }
        }
      }
      console.log('entries:');
      for (const c of counts) {
        const parts = [
          c.added > 0 ? `+${c.added}` : '',
          c.removed > 0 ? `-${c.removed}` : '',
          c.rewritten > 0 ? `~${c.rewritten} rewritten` : '',
        ].filter((p) => p !== '');
        console.log(`  ${c.name.padEnd(60)} ${parts.join(' ')}`);
      }
    }
  }
  console.log(`\ntotal per delivered event: ${total} B-tree entries, ${totalFrames} WAL pages (one event per commit)`);
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
