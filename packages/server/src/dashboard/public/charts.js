// Charts drawn as plain SVG from the attempt feed: attempts per minute by outcome, latency per minute, success
// per endpoint. They count attempts (every try, retries included), not deliveries, and say so: a delivery retried
// five times is five bars, which /stats would count as one delivery. Each figure has a text summary for screen
// readers.
import { h, s } from './dom.js';

const WIDTH = 360;
const HEIGHT = 140;
const PAD = { left: 34, right: 8, top: 8, bottom: 18 };
const OK = '#1a7f37';
const FAIL = '#cf222e';

/** Attempts grouped by minute over the last `minutes` minutes ending at `now`. */
export function byMinute(attempts, minutes, now) {
  const end = Math.floor(now / 60_000) * 60_000;
  const start = end - (minutes - 1) * 60_000;
  const buckets = Array.from({ length: minutes }, (_, i) => ({
    at: start + i * 60_000,
    ok: 0,
    fail: 0,
    durations: [],
  }));
  for (const attempt of attempts) {
    const index = Math.floor((Date.parse(attempt.timestamp) - start) / 60_000);
    const bucket = buckets[index];
    if (bucket === undefined) continue;
    if (attempt.status === 0) bucket.ok++;
    else bucket.fail++;
    bucket.durations.push(attempt.responseDurationMs);
  }
  return buckets;
}

function axis(max, unit) {
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  return [
    s('line', {
      x1: PAD.left,
      x2: WIDTH - PAD.right,
      y1: HEIGHT - PAD.bottom,
      y2: HEIGHT - PAD.bottom,
      stroke: '#d0d7de',
    }),
    s('text', { x: 2, y: PAD.top + 8 }, `${max}${unit}`),
    s('text', { x: 2, y: PAD.top + plotHeight }, `0${unit}`),
  ];
}

function minuteLabels(buckets) {
  const first = buckets[0];
  const last = buckets[buckets.length - 1];
  const clock = (ms) => new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return [
    s('text', { x: PAD.left, y: HEIGHT - 4 }, clock(first.at)),
    s('text', { x: WIDTH - PAD.right, y: HEIGHT - 4, 'text-anchor': 'end' }, clock(last.at)),
  ];
}

function figure(caption, label, svgChildren, legend) {
  return h(
    'figure',
    {},
    h('figcaption', {}, caption),
    s('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': label, width: '100%' }, svgChildren),
    legend,
  );
}

function legendOf(entries) {
  return h(
    'div',
    { class: 'legend', 'aria-hidden': 'true' },
    // An SVG square, not a styled span: the page's CSP allows no inline styles.
    entries.map(([color, text]) =>
      h(
        'span',
        {},
        s('svg', { class: 'swatch', viewBox: '0 0 10 10' }, s('rect', { width: 10, height: 10, fill: color })),
        text,
      ),
    ),
  );
}

export function deliveriesChart(buckets) {
  const max = Math.max(1, ...buckets.map((b) => b.ok + b.fail));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const barWidth = plotWidth / buckets.length;
  const bars = buckets.flatMap((bucket, i) => {
    const x = PAD.left + i * barWidth;
    const okHeight = (bucket.ok / max) * plotHeight;
    const failHeight = (bucket.fail / max) * plotHeight;
    const base = HEIGHT - PAD.bottom;
    const title = s(
      'title',
      {},
      `${new Date(bucket.at).toLocaleTimeString()}: ${bucket.ok} attempts succeeded, ${bucket.fail} failed`,
    );
    return [
      s('rect', { x, y: base - okHeight, width: Math.max(1, barWidth - 1), height: okHeight, fill: OK }, title),
      s('rect', {
        x,
        y: base - okHeight - failHeight,
        width: Math.max(1, barWidth - 1),
        height: failHeight,
        fill: FAIL,
      }),
    ];
  });
  const ok = buckets.reduce((n, b) => n + b.ok, 0);
  const fail = buckets.reduce((n, b) => n + b.fail, 0);
  return figure(
    'Attempts per minute (every try, retries included)',
    `Attempts per minute over the last ${buckets.length} minutes: ${ok} succeeded, ${fail} failed`,
    [...axis(max, ''), ...bars, ...minuteLabels(buckets)],
    legendOf([
      [OK, `succeeded attempts (${ok})`],
      [FAIL, `failed attempts (${fail})`],
    ]),
  );
}

function percentile(sortedValues, p) {
  if (sortedValues.length === 0) return null;
  return sortedValues[Math.min(sortedValues.length - 1, Math.floor(p * sortedValues.length))];
}

export function latencyChart(buckets) {
  const series = buckets.map((bucket) => {
    const sorted = [...bucket.durations].sort((a, b) => a - b);
    return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95) };
  });
  const max = Math.max(1, ...series.map((point) => point.p95 ?? 0));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const step = plotWidth / Math.max(1, buckets.length - 1);
  const line = (key, color) => {
    const points = series
      .map((point, i) =>
        point[key] === null
          ? null
          : `${(PAD.left + i * step).toFixed(1)},${(HEIGHT - PAD.bottom - (point[key] / max) * plotHeight).toFixed(1)}`,
      )
      .filter((point) => point !== null);
    return points.length === 0
      ? []
      : [s('polyline', { points: points.join(' '), fill: 'none', stroke: color, 'stroke-width': 1.5 })].concat(
          points.map((point) => {
            const [cx, cy] = point.split(',');
            return s('circle', { cx, cy, r: 2, fill: color });
          }),
        );
  };
  const all = buckets.flatMap((bucket) => bucket.durations).sort((a, b) => a - b);
  const summary =
    all.length === 0
      ? 'No attempts in this period'
      : `Response time: median ${percentile(all, 0.5)} ms, 95th percentile ${percentile(all, 0.95)} ms`;
  return figure(
    'Attempt latency (ms, per minute)',
    summary,
    [...axis(max, 'ms'), ...line('p95', '#bf8700'), ...line('p50', '#0969da'), ...minuteLabels(buckets)],
    legendOf([
      ['#0969da', 'median'],
      ['#bf8700', '95th percentile'],
    ]),
  );
}

export function endpointChart(attempts, labelOf) {
  const byEndpoint = new Map();
  for (const attempt of attempts) {
    const row = byEndpoint.get(attempt.endpointId) ?? { ok: 0, fail: 0 };
    if (attempt.status === 0) row.ok++;
    else row.fail++;
    byEndpoint.set(attempt.endpointId, row);
  }
  const rows = [...byEndpoint].sort((a, b) => b[1].ok + b[1].fail - (a[1].ok + a[1].fail)).slice(0, 8);
  const rowHeight = 16;
  const height = Math.max(30, rows.length * (rowHeight + 4) + 8);
  const labelWidth = 130;
  const barSpace = WIDTH - labelWidth - 50;
  const items = rows.flatMap(([endpointId, row], i) => {
    const total = row.ok + row.fail;
    const y = 4 + i * (rowHeight + 4);
    const okWidth = (row.ok / total) * barSpace;
    const name = labelOf(endpointId);
    return [
      s('text', { x: 0, y: y + 12 }, name.length > 24 ? `${name.slice(0, 23)}…` : name),
      s('rect', { x: labelWidth, y, width: okWidth, height: rowHeight, fill: OK }),
      s('rect', { x: labelWidth + okWidth, y, width: barSpace - okWidth, height: rowHeight, fill: FAIL }),
      s('text', { x: labelWidth + barSpace + 4, y: y + 12 }, `${Math.round((row.ok / total) * 100)}%`),
    ];
  });
  const summary =
    rows.length === 0
      ? 'No attempts in this period'
      : rows
          .map(([endpointId, row]) => `${labelOf(endpointId)}: ${row.ok} of ${row.ok + row.fail} attempts succeeded`)
          .join('; ');
  return h(
    'figure',
    {},
    h('figcaption', {}, 'Attempts that succeeded, per endpoint'),
    s('svg', { viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': summary, width: '100%' }, items),
    legendOf([
      [OK, 'succeeded attempts'],
      [FAIL, 'failed attempts'],
    ]),
  );
}
