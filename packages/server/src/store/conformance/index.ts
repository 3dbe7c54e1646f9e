export type { StoreFactory, StoreUnderTest } from './fixtures.js';
export { runStoreConformance } from './run-store-conformance.js';
