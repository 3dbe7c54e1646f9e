// One goal line, the same shape in every bench: `goal <label>: <figure> (<target>[, beside]): met | NOT met`, or
// `not measured` (with the reason) so a goal never silently drops out of the list.

export type GoalUnit = 'x' | '%' | 'ms' | 'MiB';
/** `at least`: >=; `at most`: <=; `below`: < (the "p99 < 5 ms"). */
export type GoalDirection = 'at least' | 'at most' | 'below';

const SIGNS: Record<GoalDirection, string> = { 'at least': '>=', 'at most': '<=', below: '<' };

function show(n: number, unit: GoalUnit): string {
  if (unit === 'x') return `${n.toFixed(2)}x`;
  if (unit === '%') return `${(n * 100).toFixed(0)} %`;
  return `${n.toLocaleString('en-US', { maximumFractionDigits: unit === 'ms' && n < 100 ? 2 : 0 })} ${unit}`;
}

export function goal(
  label: string,
  value: number,
  target: number,
  unit: GoalUnit,
  direction: GoalDirection = 'at least',
  beside = '',
): string {
  const passes =
    direction === 'at least' ? value >= target : direction === 'at most' ? value <= target : value < target;
  const verdict = Number.isNaN(value) ? 'not measured' : passes ? 'met' : 'NOT met';
  const extra = beside === '' ? '' : `, ${beside}`;
  return `goal ${label}: ${Number.isNaN(value) ? '-' : show(value, unit)} (${SIGNS[direction]} ${show(target, unit)}${extra}): ${verdict}`;
}

/** A goal that could not be measured, and why: printed in its place so the list of goals stays whole. */
export function goalNotMeasured(label: string, why: string): string {
  return `goal ${label}: not measured: ${why}`;
}
