// How commands print: JSON for scripts (--json), aligned columns for people.

export interface Output {
  json: boolean;
  write(text: string): void;
}

export function stdoutOutput(json: boolean): Output {
  return { json, write: (text) => process.stdout.write(text) };
}

/** Prints `value` as JSON, or as a table of `columns` taken from each row. */
export function printRows<T>(
  out: Output,
  value: unknown,
  rows: readonly T[],
  columns: ReadonlyArray<[string, (row: T) => string]>,
): void {
  if (out.json) {
    out.write(`${JSON.stringify(value, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    out.write('(none)\n');
    return;
  }
  const cells = rows.map((row) => columns.map(([, pick]) => pick(row)));
  const widths = columns.map(([title], i) => Math.max(title.length, ...cells.map((line) => (line[i] ?? '').length)));
  const format = (line: readonly string[]) =>
    line
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  out.write(`${format(columns.map(([title]) => title))}\n${cells.map(format).join('\n')}\n`);
}

export function printOne(out: Output, value: unknown, text: string): void {
  out.write(out.json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}
