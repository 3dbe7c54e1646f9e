// The endpoints part of the Store: an application's endpoints, their secrets (rotation with a grace period) and
// their disabled flag (which parks and wakes their deliveries).
import type { PayloadFilter } from '../payload-filter/language.js';
import type { ListOptions, Page } from './paging.js';
import type { ResealOptions, ResealReport } from './reseal-secrets.js';
import type {
  DeliveryOrdering,
  Endpoint,
  EndpointSecret,
  OrderingOnDead,
  PayloadFormat,
  SignatureScheme,
} from './types.js';

export interface NewEndpoint {
  uid?: string | null;
  url: string;
  description?: string;
  eventTypes?: string[] | null;
  channels?: string[] | null;
  disabled?: boolean;
  throttleRate?: number | null;
  headerPrefix?: 'webhook' | 'svix';
  signatureScheme?: SignatureScheme;
  payloadFormat?: PayloadFormat;
  ordering?: DeliveryOrdering;
  orderingOnDead?: OrderingOnDead;
  /** Which payloads the endpoint receives; null or absent: every payload. Validated before it reaches the store. */
  payloadFilter?: PayloadFilter | null;
  retrySchedule?: number[] | null;
  nonRetryableStatuses?: string | null;
  metadata?: Record<string, string>;
  /** Custom headers sent with each delivery; a patch replaces the whole map. */
  headers?: Record<string, string>;
  secret: string;
}

export type EndpointPatch = Partial<Omit<NewEndpoint, 'secret'>>;

export interface EndpointsStore {
  createEndpoint(appId: string, input: NewEndpoint, now: number): Promise<Endpoint>;
  getEndpoint(appId: string, idOrUid: string): Promise<Endpoint | null>;
  listEndpoints(appId: string, options: ListOptions): Promise<Page<Endpoint>>;
  updateEndpoint(appId: string, id: string, patch: EndpointPatch, now: number): Promise<Endpoint | null>;
  deleteEndpoint(appId: string, id: string): Promise<boolean>;
  /** Secrets that sign now: the current one and rotated-out ones whose grace has not ended. */
  activeSecrets(endpointId: string, now: number): Promise<EndpointSecret[]>;
  /**
   * Makes `secret` current; the previous one keeps signing until `now + graceMs`. At most MAX_SECRETS (16, what the
   * signer takes) are kept: a rotation beyond that retires the oldest rotated-out secret at once. A rotation is
   * never refused: it is how a leaked secret is replaced, and refusing it would keep the leaked one current.
   */
  rotateSecret(endpointId: string, secret: string, graceMs: number, now: number): Promise<void>;
  setEndpointDisabled(endpointId: string, disabled: boolean, reason: string | null, now: number): Promise<void>;
  /**
   * Encryption at rest's migration of existing rows: rewrites endpoint secrets, custom headers and source
   * verifications stored in clear or under an old key in the form the store's SecretBox writes now, a batch per
   * transaction. Idempotent. (Here because endpoints hold most of what is sealed; it walks sources too.)
   */
  resealSecrets(options?: ResealOptions): Promise<ResealReport>;
}
