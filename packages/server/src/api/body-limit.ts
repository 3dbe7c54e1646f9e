/** Every input limit is explicit: bodies over 1 MiB are refused with 413 before they are read into memory. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * The batch publish route's limit: up to 1,000 messages of ~8 KiB each. Larger than one message's, and still read
 * only up to it.
 */
export const BATCH_BODY_LIMIT_BYTES = 8 * 1024 * 1024;
