/** Every input limit is explicit: bodies over 1 MiB are refused with 413 before they are read into memory. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
