import { describe } from 'vitest';
import { SERVICES, serviceAvailable } from '../../../../../test/support/services.js';
import { storeInFreshSchema } from '../../../test/support/postgres-schema.js';
import { runStoreConformance } from '../conformance/index.js';

const available = await serviceAvailable('postgres');

describe.skipIf(!available)('PostgresStore (real PostgreSQL, a schema per test)', () => {
  runStoreConformance('PostgresStore', async () => storeInFreshSchema(SERVICES.postgres.url));
});
