// What every part of the conformance suite shares: a fresh store per test, and builders for applications,
// endpoints, messages, claims and attempt results. Interface calls only, so every Store implementation runs it.
import { afterEach, beforeEach, expect } from 'vitest';
import type { NewEndpoint } from '../endpoints.js';
import type { NewMessage } from '../messages.js';
import type { Page } from '../paging.js';
import type { AttemptResult, ClaimOptions } from '../queue.js';
import type { Store } from '../store.js';
import type { Application, ClaimedDelivery, Endpoint } from '../types.js';

export interface StoreUnderTest {
  store: Store;
  /** Closes the store and removes everything it wrote. */
  cleanup(): Promise<void>;
}

/** Makes a fresh, empty store that is not migrated yet; the suite migrates it. Called once per test. */
export type StoreFactory = () => Promise<StoreUnderTest>;

/** The suite's clock starts here; every time is injected, nothing sleeps. */
export const T0 = Date.UTC(2030, 0, 1);
export const LEASE_MS = 30_000;
export const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** Registers a fresh, migrated store for each test of the enclosing describe; returns its getter. */
export function useStore(factory: StoreFactory): () => Store {
  let current: StoreUnderTest | null = null;
  beforeEach(async () => {
    current = await factory();
    await current.store.migrate();
  });
  afterEach(async () => {
    const finished = current;
    current = null;
    await finished?.cleanup();
  });
  return () => {
    if (current === null) throw new Error('the store exists only while a test runs');
    return current.store;
  };
}

export function createApp(store: Store, name = 'acme', now = T0, uid: string | null = null): Promise<Application> {
  return store.createApplication({ name, uid }, now);
}

export function createEndpoint(
  store: Store,
  appId: string,
  overrides: Partial<NewEndpoint> = {},
  now = T0,
): Promise<Endpoint> {
  return store.createEndpoint(appId, { url: 'https://receiver.example.com/hook', secret: SECRET, ...overrides }, now);
}

export function newMessage(overrides: Partial<NewMessage> = {}): NewMessage {
  return { eventType: 'invoice.paid', payload: '{"invoice":"in_1","amount":4200}', ...overrides };
}

export function claimOptions(now: number, overrides: Partial<ClaimOptions> = {}): ClaimOptions {
  return {
    now,
    leaseUntil: now + LEASE_MS,
    limit: 1000,
    excludeEndpointIds: [],
    perEndpointLimit: 1000,
    endpointCaps: {},
    ...overrides,
  };
}

/** Claims everything due at `now`, with no limit that matters. */
export function claimAll(store: Store, now: number): Promise<ClaimedDelivery[]> {
  return store.claimDueDeliveries(claimOptions(now));
}

function leaseOf(claimed: ClaimedDelivery): number {
  if (claimed.delivery.leaseUntil === null) throw new Error(`claimed delivery ${claimed.delivery.id} has no lease`);
  return claimed.delivery.leaseUntil;
}

export function succeeded(claimed: ClaimedDelivery, at: number, overrides: Partial<AttemptResult> = {}): AttemptResult {
  return {
    deliveryId: claimed.delivery.id,
    leaseUntil: leaseOf(claimed),
    outcome: 'succeeded',
    trigger: claimed.trigger,
    url: claimed.endpoint.url,
    statusCode: 200,
    responseBody: '{"received":true}',
    durationMs: 42,
    error: null,
    at,
    next: { status: 'dead' },
    disableEndpoint: null,
    ...(claimed.delivery.orderingKey === null ? {} : { ordered: true }),
    ...overrides,
  };
}

export function failed(
  claimed: ClaimedDelivery,
  at: number,
  next: AttemptResult['next'],
  overrides: Partial<AttemptResult> = {},
): AttemptResult {
  return {
    deliveryId: claimed.delivery.id,
    leaseUntil: leaseOf(claimed),
    outcome: 'failed',
    trigger: claimed.trigger,
    url: claimed.endpoint.url,
    statusCode: 503,
    responseBody: 'upstream unavailable',
    durationMs: 87,
    error: 'HTTP 503',
    at,
    next,
    disableEndpoint: null,
    ...(claimed.delivery.orderingKey === null ? {} : { ordered: true }),
    ...overrides,
  };
}

/** Claims everything due at `now` and fails each for good: the deliveries become dead letters. */
export async function killAllDue(store: Store, now: number): Promise<ClaimedDelivery[]> {
  const claimed = await claimAll(store, now);
  await store.recordAttempts(claimed.map((item) => failed(item, now, { status: 'dead' })));
  return claimed;
}

/** The one item of a list, failing the test when there is not exactly one. */
export function single<T>(items: readonly T[]): T {
  expect(items).toHaveLength(1);
  return items[0] as T;
}

/** Follows iterators to the end, with a bound so a cursor that never finishes fails instead of hanging. */
export async function allPages<T>(
  fetchPage: (iterator: string | null) => Promise<Page<T>>,
  between: (pageNumber: number) => Promise<void> = async () => {},
): Promise<T[]> {
  const items: T[] = [];
  let iterator: string | null = null;
  for (let pageNumber = 1; pageNumber <= 1000; pageNumber++) {
    const page = await fetchPage(iterator);
    items.push(...page.data);
    if (page.done) return items;
    iterator = page.iterator;
    await between(pageNumber);
  }
  throw new Error('pagination did not finish within 1000 pages');
}

export function ids(items: ReadonlyArray<{ id: string }>): string[] {
  return items.map((item) => item.id);
}

export function sorted(values: readonly string[]): string[] {
  return [...values].sort();
}
