// What both entry points (node.ts, web.ts) export besides the bound schemes.
export type { BoundSchemes, BuiltInSchemeName } from './bind-schemes.js';
export type { CryptoBackend } from './crypto/backend.js';
export {
  InvalidSecretError,
  InvalidSignInputError,
  isSignatureError,
  MalformedHeaderError,
  MissingHeaderError,
  SignatureError,
  type SignatureErrorCode,
  SignatureMismatchError,
  TimestampOutOfToleranceError,
} from './errors.js';
export { MAX_HEADER_LENGTH } from './headers.js';
export type { RawBodyHmacOptions } from './schemes/raw-body-hmac.js';
export type {
  StandardWebhooksHeaderPrefix,
  StandardWebhooksScheme,
  StandardWebhooksSignInput,
} from './schemes/standard-webhooks.js';
export { MAX_SECRETS } from './secrets.js';
export { DEFAULT_TOLERANCE_SECONDS } from './timestamp.js';
export type {
  HeadersInput,
  RawBody,
  Scheme,
  SchemeName,
  Secret,
  Secrets,
  SignedHeaders,
  SignInput,
  VerifiedWebhook,
  VerifyInput,
} from './types.js';
export { type VerifyNow, verifyNow } from './verify-now.js';
