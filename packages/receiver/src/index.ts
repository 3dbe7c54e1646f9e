// @hookline/receiver: receive webhooks in any Node or Web-standard app. One import: the Webhooks router, its
// stores and adapters, and (re-exported) every scheme and error of @hookline/signatures.
export * from '@hookline/signatures';
export { createExpressMiddleware } from './adapters/express/index.js';
export { type ExpressRequestLike, keepRawBody, readExpressBody } from './adapters/express/raw-body.js';
export {
  type FastifyInstanceLike,
  type FastifyReplyLike,
  type FastifyRequestLike,
  type FastifyWebhooksOptions,
  fastifyWebhooks,
} from './adapters/fastify/index.js';
export { createNodeMiddleware, type NodeMiddlewareOptions } from './adapters/node/index.js';
export { readNodeBody } from './adapters/node/read-body.js';
export { createWebHandler, type WaitUntil, type WebHandlerOptions } from './adapters/web/index.js';
export { readWebBody } from './adapters/web/read-body.js';
export {
  DEFAULT_MAX_BODY_BYTES,
  type EventCheck,
  type RequestSource,
  type SignedVerification,
  type UnsignedVerification,
  type WebhooksCommonOptions,
  type WebhooksOptions,
} from './config.js';
export {
  type ClaimResult,
  DEFAULT_DEDUPE_LEASE_SECONDS,
  DEFAULT_DEDUPE_TTL_SECONDS,
  type DedupeStore,
} from './dedupe/dedupe-store.js';
export { type MemoryDedupeOptions, MemoryDedupeStore } from './dedupe/memory.js';
export { type PostgresDedupeOptions, PostgresDedupeStore, type PostgresQueryable } from './dedupe/postgres.js';
export { type RedisDedupeOptions, RedisDedupeStore, type RedisEvalLike } from './dedupe/redis.js';
export {
  type SqliteDatabaseLike,
  type SqliteDedupeOptions,
  SqliteDedupeStore,
  type SqliteStatementLike,
} from './dedupe/sqlite.js';
export * from './errors.js';
export type { EventLogEntry, EventStatus } from './event-log.js';
export {
  type CheckVerdict,
  type ExpectedValue,
  type FetchBackAnswer,
  type FetchBackExpectation,
  judgeFetchBackAnswer,
} from './fetch-back/answer.js';
export { type FetchBackCheck, type FetchBackOptions, fetchBackCheck } from './fetch-back/fetch-back-check.js';
export { fetchTransport } from './fetch-back/fetch-transport.js';
export { type NodeTransportOptions, nodeTransport, type ResolveHost } from './fetch-back/node-transport.js';
export type { FetchBackRequest, FetchBackTransport } from './fetch-back/transport.js';
export { compileUrlTemplate, type FilledUrl, type UrlTemplate } from './fetch-back/url-template.js';
export { headerValue } from './headers.js';
export {
  DEFAULT_IDENTIFY,
  type EventIdentity,
  type FieldIdentityOptions,
  type IdentifyEvent,
  type IdentifyInput,
  identifyByBodyType,
  identifyFields,
  identifyGithub,
  identifyShopify,
  identifySlack,
  identifyStandardWebhooks,
  identifyStripe,
} from './identify.js';
export {
  DEFAULT_RETRY_DELAYS_SECONDS,
  type InboxRecord,
  type InboxStatus,
  type InboxStore,
  type InboxSummary,
  type NewInboxRecord,
  nextAttemptAt,
} from './inbox/inbox-store.js';
export { type PostgresInboxOptions, PostgresInboxStore } from './inbox/postgres.js';
export { type SqliteInboxOptions, SqliteInboxStore } from './inbox/sqlite.js';
export type { EventFor, EventPattern } from './on.js';
export { patternMatches } from './on.js';
export { type CallbackFields, isFormContentType, parseFields, queryOf, readPayload } from './payload.js';
export { createAddressMatcher, createClientAddressResolver, type TrustProxy } from './protect/address.js';
export {
  createOutboundAddressGuard,
  judgeUrlHost,
  type OutboundAddressGuard,
  type OutboundAddressVerdict,
  type OutboundNetworkPolicy,
} from './protect/outbound-address.js';
export { type MemoryRateLimitOptions, MemoryRateLimitStore, type RateLimitStore } from './protect/rate-limit-store.js';
export { type RedisRateLimitOptions, RedisRateLimitStore } from './protect/redis-rate-limit.js';
export { type Bucket, type RateLimit, type RateLimitDecision, takeToken } from './protect/token-bucket.js';
export type { Refusal, RefusalListener } from './refusal.js';
export {
  type DecoratedHandler,
  type HandlerModule,
  type HandlesDecorator,
  handlerName,
  handles,
  typedHandles,
} from './register.js';
export { describeError, type ErrorDescription, errorResponse } from './respond.js';
export {
  type AcknowledgeOptions,
  applyResponsePolicy,
  type ResolvedAcknowledge,
  type ResponsePolicy,
  resolveResponsePolicy,
} from './response-policy.js';
export type { EventMap, IncomingWebhookRequest, WebhookEvent, WebhookHandler, WebhookResponse } from './types.js';
export {
  type CompiledJsonSchemaValidator,
  jsonSchemaValidator,
  type PayloadSchema,
  type PayloadValidator,
  type StandardSchemaV1,
  type StandardSchemaV1Result,
  type ValidationOutcome,
} from './validate.js';
export { Webhooks } from './webhooks.js';
