// After a run that stored whatever the API let through: every list still answers 200 (a stored value never poisons a
// read: issue 16 found an Infinity rate that failed every later list, and a lone surrogate that failed every
// publish), and every application still takes a message.
import { expect } from 'vitest';
import { OPERATIONAL_APP_UID } from '../../src/operations/operational-events.js';
import type { Api } from './hookline.js';

interface Page<T> {
  data: T[];
  iterator: string | null;
  done: boolean;
}

/** At most this many pages of one list: far more than a fuzz run makes, and a bound if paging ever loops. */
const MAX_PAGES = 100;
/** Applications checked at a time. */
const PARALLEL = 8;

async function everyPage<T>(api: Api, path: string, counter: { requests: number }): Promise<T[]> {
  const rows: T[] = [];
  let iterator: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const separator = path.includes('?') ? '&' : '?';
    const url: string = `${path}${separator}limit=250${iterator === null ? '' : `&iterator=${iterator}`}`;
    const answer = await api.call<Page<T>>('GET', url);
    counter.requests++;
    expect({ url, status: answer.status }).toEqual({ url, status: 200 });
    rows.push(...answer.body.data);
    if (answer.body.done || answer.body.iterator === null) return rows;
    iterator = answer.body.iterator;
  }
  throw new Error(`${path} had more than ${MAX_PAGES} pages`);
}

async function answers200(api: Api, path: string, counter: { requests: number }): Promise<void> {
  const answer = await api.call('GET', path);
  counter.requests++;
  expect({ path, status: answer.status }).toEqual({ path, status: 200 });
}

async function applicationAnswers(
  api: Api,
  { id: appId, uid }: { id: string; uid: string | null },
  counter: { requests: number },
): Promise<void> {
  const app = `/api/v1/app/${appId}`;
  await answers200(api, app, counter);
  const endpoints = await everyPage<{ id: string }>(api, `${app}/endpoint`, counter);
  const messages = await everyPage<{ id: string }>(api, `${app}/msg?with_content=true`, counter);
  await everyPage(api, `${app}/dead-letter`, counter);
  await answers200(api, `${app}/attempt/feed`, counter);
  for (const endpoint of endpoints) {
    const path = `${app}/endpoint/${endpoint.id}`;
    await answers200(api, path, counter);
    await answers200(api, `${path}/headers`, counter);
    await answers200(api, `${path}/stats`, counter);
    await answers200(api, `${path}/health`, counter);
    await everyPage(api, `${app}/attempt/endpoint/${endpoint.id}?with_msg=true`, counter);
  }
  for (const message of messages.slice(0, 5)) {
    await answers200(api, `${app}/msg/${message.id}`, counter);
    await everyPage(api, `${app}/attempt/msg/${message.id}`, counter);
    await everyPage(api, `${app}/msg/${message.id}/endpoint`, counter);
  }
  // Hookline publishes to its operational application itself; the API refuses a caller's publish there, by design.
  if (uid === OPERATIONAL_APP_UID) return;
  // A publish goes through every endpoint's stored filter and channels (a lone surrogate there failed each one).
  const published = await api.call<{ code?: string }>('POST', `${app}/msg`, {
    // A type the run never declares, so no schema it wrote can refuse the payload.
    eventType: 'after.the-run',
    payload: { n: 2 },
    channels: ['orders'],
  });
  counter.requests++;
  expect({ appId, status: published.status < 300 ? 'accepted' : published.body }).toEqual({
    appId,
    status: 'accepted',
  });
}

/** Walks every list of every application (and the event types and API keys); answers how much it asked. */
export async function expectEveryListAnswers(api: Api): Promise<{ applications: number; requests: number }> {
  const counter = { requests: 0 };
  await everyPage(api, '/api/v1/event-type?include_archived=true&with_content=true', counter);
  await everyPage(api, '/api/v1/auth/api-key', counter);
  const applications = await everyPage<{ id: string; uid: string | null }>(api, '/api/v1/app', counter);
  for (let i = 0; i < applications.length; i += PARALLEL) {
    await Promise.all(applications.slice(i, i + PARALLEL).map((app) => applicationAnswers(api, app, counter)));
  }
  return { applications: applications.length, requests: counter.requests };
}
