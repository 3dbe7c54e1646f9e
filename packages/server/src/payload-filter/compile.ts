// A stored payload filter turned into a test, once per distinct filter text: fan-out runs it on every message an
// application publishes, so compiling is kept out of that path (the SQLite store's endpoint cache is dropped by
// every write; this cache is not).
import siftModule from 'sift';
import type { PayloadFilter } from './language.js';

// sift is CommonJS: under Node's ESM its operators are properties of the default export.
const sift = siftModule as unknown as typeof import('sift');

/**
 * The only operations sift may build. Handing sift this table (and not its defaults) means an operator the
 * validator missed still fails to compile rather than run: $where would run code, $regex could backtrack for ever.
 */
const OPERATIONS = {
  $eq: sift.$eq,
  $ne: sift.$ne,
  $gt: sift.$gt,
  $gte: sift.$gte,
  $lt: sift.$lt,
  $lte: sift.$lte,
  $in: sift.$in,
  $nin: sift.$nin,
  $exists: sift.$exists,
  $not: sift.$not,
  $and: sift.$and,
  $or: sift.$or,
  $nor: sift.$nor,
};

/** Whether a payload (parsed JSON) passes the filter. */
export type PayloadTest = (payload: unknown) => boolean;

/** Distinct filters kept compiled; past it the oldest is dropped (and compiled again when next met). */
const MAX_COMPILED = 10_000;
const compiled = new Map<string, PayloadTest>();

/**
 * The test for a filter stored as JSON text (one that passed findFilterProblem when it was written). sift's testers
 * keep state between calls; that is safe here because a test runs to its end synchronously.
 */
export function compiledPayloadFilter(filterJson: string): PayloadTest {
  let test = compiled.get(filterJson);
  if (test === undefined) {
    const filter = JSON.parse(filterJson) as PayloadFilter;
    test = sift.createQueryTester(filter, { operations: OPERATIONS });
    if (compiled.size >= MAX_COMPILED) {
      const oldest = compiled.keys().next().value;
      if (oldest !== undefined) compiled.delete(oldest);
    }
    compiled.set(filterJson, test);
  }
  return test;
}
