// Schema pieces the inputs share. The input schemas live beside their rules in this folder; the API's OpenAPI
// document and its request validation are built from them.

export const stringMap = { type: 'object', additionalProperties: { type: 'string', maxLength: 4096 } } as const;

/** Caller-chosen ids (application, endpoint): usable wherever the id is, so limited to URL-safe characters. */
export const uidSchema = {
  type: ['string', 'null'],
  minLength: 1,
  maxLength: 256,
  pattern: '^[a-zA-Z0-9\\-_.]+$',
} as const;

export const UID_PATTERN = /^[a-zA-Z0-9\-_.]+$/;

export const eventTypeName = { type: 'string', minLength: 1, maxLength: 256, pattern: '^[a-zA-Z0-9\\-_.]+$' } as const;
