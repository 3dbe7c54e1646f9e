// Why `hookline serve` or `hookline migrate` could not start, said in one line with what to try: a busy port, a
// PostgreSQL that is down or lacks the database, a SQLite file that cannot be opened. Everything else is left as it
// is (a bug deserves its stack trace).
import { isPostgresUrl } from '../store/postgres/database-url.js';
import { CliError } from './cli-error.js';

interface SystemError {
  code?: unknown;
  syscall?: unknown;
  message?: unknown;
  errors?: unknown;
}

function codeOf(error: unknown): string | null {
  if (typeof error !== 'object' || error === null) return null;
  const { code, errors } = error as SystemError;
  if (typeof code === 'string') return code;
  // Node tries every address of a name (localhost: ::1 and 127.0.0.1) and reports an AggregateError of each.
  if (Array.isArray(errors)) for (const inner of errors) if (codeOf(inner) !== null) return codeOf(inner);
  return null;
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET']);

function postgresParts(database: string): { where: string; user: string; name: string } {
  try {
    const url = new URL(database);
    const port = url.port === '' ? '5432' : url.port;
    return {
      where: `${url.hostname || 'localhost'}:${port}`,
      user: decodeURIComponent(url.username) || 'the default user',
      name: decodeURIComponent(url.pathname.replace(/^\//, '')) || 'the default database',
    };
  } catch {
    return { where: 'the configured address', user: 'the configured user', name: 'the configured database' };
  }
}

function postgresError(error: unknown, database: string): CliError | null {
  const code = codeOf(error);
  const message = String((error as SystemError).message ?? '');
  const { where, user, name } = postgresParts(database);
  const check = 'check --database or HOOKLINE_DATABASE';
  if ((code !== null && CONNECT_CODES.has(code)) || /timeout exceeded when trying to connect/i.test(message)) {
    return new CliError(
      'database_unreachable',
      `cannot connect to PostgreSQL at ${where} (${code ?? 'connect timeout'})`,
      `is PostgreSQL running and accepting connections there? ${check}`,
    );
  }
  if (code === '3D000') {
    return new CliError(
      'database_missing',
      `PostgreSQL at ${where} has no database "${name}"`,
      `create it (createdb -h ${where.split(':')[0]} -p ${where.split(':')[1]} ${name}) or ${check}`,
    );
  }
  if (code === '28P01' || code === '28000') {
    return new CliError(
      'database_login_refused',
      `PostgreSQL at ${where} refused the login of ${user}`,
      `check the user and password in the URL (${check})`,
    );
  }
  if (code === '42501') {
    return new CliError(
      'database_permission',
      `PostgreSQL user ${user} may not create Hookline's tables: ${message}`,
      'grant it CREATE on the database (or the ?schema=), or run `hookline migrate` once as a user who may',
    );
  }
  return null;
}

function sqliteError(error: unknown, path: string): CliError | null {
  const code = codeOf(error);
  const check = 'choose another file with --database or HOOKLINE_DATABASE';
  if (code === 'SQLITE_NOTADB') {
    return new CliError('database_invalid', `${path} is not a SQLite database`, check);
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new CliError(
      'database_locked',
      `the SQLite database ${path} is locked by another process`,
      'stop the other process using it, or for several processes use PostgreSQL',
    );
  }
  if (
    code === 'SQLITE_CANTOPEN' ||
    code === 'SQLITE_READONLY' ||
    code === 'SQLITE_PERM' ||
    code === 'EACCES' ||
    code === 'EPERM' ||
    code === 'EROFS' ||
    code === 'ENOTDIR' ||
    code === 'EISDIR' ||
    // mkdir of the folder: a file is in the way (EEXIST), or a part of the path cannot exist (ENOENT)
    code === 'EEXIST' ||
    code === 'ENOENT'
  ) {
    return new CliError(
      'database_unopenable',
      `cannot open the SQLite database ${path} (${code})`,
      `its folder must exist or be creatable, and be writable; or ${check}`,
    );
  }
  return null;
}

/** A store that would not open or migrate, in words; null when the error is not one we know how to explain. */
export function storeStartupError(error: unknown, database: string): CliError | null {
  if (error instanceof CliError) return error;
  return isPostgresUrl(database) ? postgresError(error, database) : sqliteError(error, database);
}

/** A port that would not open, in words; null when the error is not about listening. */
export function listenStartupError(error: unknown, host: string, port: number): CliError | null {
  const code = codeOf(error);
  const flags = 'another port with --port or PORT (e.g. PORT=8081 npm start)';
  if (code === 'EADDRINUSE') {
    return new CliError(
      'port_in_use',
      `port ${port} on ${host} is already in use`,
      `stop the process listening there (another hookline?), or choose ${flags}`,
    );
  }
  if (code === 'EACCES' && (error as SystemError).syscall === 'listen') {
    return new CliError(
      'port_not_allowed',
      `not allowed to listen on port ${port}`,
      `ports below 1024 need privileges: choose ${flags}`,
    );
  }
  if (code === 'EADDRNOTAVAIL' || (code === 'ENOTFOUND' && (error as SystemError).syscall === 'getaddrinfo')) {
    return new CliError(
      'host_unavailable',
      `cannot listen on ${host}: this machine has no such address`,
      'use 127.0.0.1 (this machine only), 0.0.0.0 (every interface) or one of its addresses: --host or HOST',
    );
  }
  return null;
}
