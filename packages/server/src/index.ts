export { type AppOptions, createApp } from './api/app.js';
export { BODY_LIMIT_BYTES } from './api/body-limit.js';
export { type RunningServer, serve } from './cli/serve.js';
export { ConfigError, type ConfigSources, defaultConfig, loadConfig, type ServerConfig } from './config.js';
export {
  type BatchMessage,
  createHookline,
  type Hookline,
  type HooklineOptions,
  type HookOptions,
  type PublishOptions,
} from './embedded/create-hookline.js';
export { DeliveryEngine, type EngineOptions } from './engine/delivery-engine.js';
export type { ApplicationInput } from './operations/applications.js';
export type { EndpointInput } from './operations/endpoint-input.js';
/** EmbeddedError is the name embedded refusals had before they shared the API's codes: the same class. */
export {
  InvalidInputError,
  OperationError as EmbeddedError,
  OperationError,
  type RefusalKind,
  type ValidationIssue,
} from './operations/errors.js';
export type { MessageInput, PublishOutcome } from './operations/publish.js';
export type { ApiKey, ApiKeyStore, NewApiKey } from './store/api-keys.js';
export { DuplicateEventIdError, DuplicateUidError } from './store/errors.js';
export type { IdempotencyStore } from './store/idempotency.js';
export { SqliteStore } from './store/sqlite/sqlite-store.js';
export type { Store } from './store/store.js';
export type { Application, Endpoint, HeldKey, Message } from './store/types.js';
