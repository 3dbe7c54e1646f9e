// The one reading of a date-time that comes in (API query and body, CLI flags): RFC 3339 as Svix's SDKs write it,
// to epoch milliseconds, or null. The API's `date-time` format is this function, so a string the schema accepts
// always converts: before, ajv's format took 23:59:60 and "+01" offsets that Date.parse read as NaN, which
// PostgreSQL refused (500) and SQLite read as no filter at all (silently ignored).

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/**
 * `2026-11-30T12:00:00Z`, with an optional fraction (read to the millisecond) and a `Z` or `±hh:mm` offset (also
 * `±hhmm` and `±hh`, which ISO 8601 allows and clients send). Null for anything else, including a day the month
 * does not have and a leap second (`23:59:60`): epoch time has no leap seconds, so no millisecond names one.
 */
export function parseInstant(text: string): number | null {
  const match = INSTANT.exec(text);
  if (match === null) return null;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const offsetHours = match[10] === undefined ? 0 : Number(match[10]);
  const offsetMinutes = match[11] === undefined ? 0 : Number(match[11]);
  if (offsetHours > 23 || offsetMinutes > 59) return null;
  const millisecond = match[7] === undefined ? 0 : Number(match[7].slice(0, 3).padEnd(3, '0'));
  const date = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0-99 as 1900-1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millisecond);
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000 * (match[9] === '-' ? -1 : 1);
  return date.getTime() - offsetMs;
}

export function isInstant(text: string): boolean {
  return parseInstant(text) !== null;
}
