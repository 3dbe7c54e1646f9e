// What a --database value says about PostgreSQL, without loading the driver: `hookline serve` on SQLite decides
// which store to open from these and never loads pg (about 15 MiB and 90 ms at start).

/** A schema name safe to put in a statement: letters, digits and underscores only. */
export function checkSchemaName(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
  return schema;
}

/**
 * A `schema` query parameter on the URL (`postgres://…/db?schema=hookline`) puts the tables in that schema, so
 * several instances (or test runs) can share one database. The driver does not know the parameter: it is taken off.
 */
export function splitSchemaFromUrl(value: string): { url: string; schema: string | null } {
  const url = new URL(value);
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  return { url: url.toString(), schema: schema === null || schema === '' ? null : checkSchemaName(schema) };
}

export function isPostgresUrl(value: string): boolean {
  return value.startsWith('postgres://') || value.startsWith('postgresql://');
}
