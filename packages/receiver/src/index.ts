// @hookline/receiver: the receiving library grows here (routing, dedupe, validation, adapters).
// Until then it re-exports the verifiers it will be built on.
export * from '@hookline/signatures';
