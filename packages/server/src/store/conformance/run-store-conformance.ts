// The Store conformance suite: every implementation of the Store interface runs these same tests, each test on a
// fresh store from the factory. Written against the interface only, so SQLite and PostgreSQL are held to one bar.
import { describe } from 'vitest';
import { describeApiKeys } from './api-keys.js';
import { describeClaim } from './claim.js';
import { describeDeliveryOptions } from './delivery-options.js';
import { describeEventTypes } from './event-types.js';
import { describeFilters } from './filters.js';
import type { StoreFactory } from './fixtures.js';
import { describeIdempotency } from './idempotency.js';
import { describeLifecycle } from './lifecycle.js';
import { describeOperatorViews } from './operator-views.js';
import { describeOrdering } from './ordering.js';
import { describePagination } from './pagination.js';
import { describePayloadFilters } from './payload-filters.js';
import { describePublish } from './publish.js';
import { describePublishMany } from './publish-many.js';
import { describeRecordAttempts } from './record-attempts.js';
import { describeReplay } from './replay.js';
import { describeRetention } from './retention.js';
import { describeSecrets } from './secrets.js';
import { describeSources } from './sources.js';
import { describeTenancy } from './tenancy.js';
import { describeUpdates } from './updates.js';

export function runStoreConformance(name: string, factory: StoreFactory): void {
  describe(`Store conformance: ${name}`, () => {
    describePublish(factory);
    describePublishMany(factory);
    describeClaim(factory);
    describeRecordAttempts(factory);
    describeReplay(factory);
    describeSecrets(factory);
    describePagination(factory);
    describeTenancy(factory);
    describeLifecycle(factory);
    describeOperatorViews(factory);
    describeEventTypes(factory);
    describeUpdates(factory);
    describeFilters(factory);
    describeApiKeys(factory);
    describeIdempotency(factory);
    describeDeliveryOptions(factory);
    describeSources(factory);
    describeOrdering(factory);
    describePayloadFilters(factory);
    // Last: its times are the suite's latest, and ids made later in the process carry at least them (ids.ts).
    describeRetention(factory);
  });
}
