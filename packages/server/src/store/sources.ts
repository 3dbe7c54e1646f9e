// Inbound sources as the store keeps them: a source (a public ingest URL in front of one application) and the log
// of requests that reached it. An accepted request is the durable record of what the provider sent (raw body,
// headers, query), committed before the provider hears 200; it is relayed to the application as a message
// afterwards, so the row says whether that has happened (messageId). Rejected and duplicate requests keep their
// reason but no body, and only the newest of them are kept (INBOUND_REFUSALS_KEPT per source).
import type { ListOptions, Page } from './paging.js';

/** How the provider proves a request is its own. Secrets live here, and never leave the API (see sourceOut). */
export type SourceVerification =
  | {
      type: 'signature';
      /** A scheme of @hookline/signatures. */
      scheme: 'standard-webhooks' | 'github' | 'stripe' | 'shopify' | 'slack' | 'hmac-sha256';
      /** Several during a rotation; the first that matches wins. */
      secrets: string[];
      /** For schemes that sign a timestamp (Stripe, Slack, Standard Webhooks); default 300. */
      toleranceSeconds?: number;
      /** For `hmac-sha256`: where the signature is and how it is written. */
      header?: string;
      prefix?: string;
      encoding?: 'hex' | 'base64';
    }
  | { type: 'basic-auth'; username: string; password: string }
  | { type: 'header-token'; header: string; token: string }
  | {
      /** No signature: the request is confirmed by asking the provider's API (an HTTP GET through the SSRF guard). */
      type: 'fetch-back';
      /** `{field}` placeholders filled from the query, form or JSON fields. */
      url: string;
      headers: Record<string, string>;
      /** Accept only when the JSON answer's field equals this value; absent: any 2xx accepts. */
      expect?: { field: string; equals: string | number | boolean | null };
    };

/** Where the event name and id come from, when not the scheme's own convention (the receiver's identifyFields). */
export interface SourceIdentify {
  type?: string;
  typeField?: string;
  typePrefix?: string;
  idField?: string;
}

/** `honest`: each refusal with its status; `acknowledge`: always this 2xx and body (payment gateways). */
export type SourceResponse =
  | { policy: 'honest' }
  | { policy: 'acknowledge'; body: string; status?: number; contentType?: string };

/** `original`: the provider's own signature headers go on (the app verifies the provider); `hookline`: re-signed. */
export type SourceSignatureMode = 'original' | 'hookline';

export interface Source {
  id: string;
  /** The application its requests are relayed to. */
  appId: string;
  /** Unique across the server: it names the ingest URL (`/in/{uid}`) as the id does. */
  uid: string | null;
  name: string;
  verification: SourceVerification;
  identify: SourceIdentify | null;
  /** CIDRs or addresses allowed to send; null: everyone. */
  allowlist: string[] | null;
  /** Requests per second per client address, with a burst of the same size; null: unlimited. */
  rateLimit: number | null;
  response: SourceResponse;
  signatureMode: SourceSignatureMode;
  /** The ingest URL's own body limit. */
  maxBodyBytes: number;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface NewSource {
  uid?: string | null;
  name: string;
  verification: SourceVerification;
  identify?: SourceIdentify | null;
  allowlist?: string[] | null;
  rateLimit?: number | null;
  response?: SourceResponse;
  signatureMode?: SourceSignatureMode;
  maxBodyBytes?: number;
  disabled?: boolean;
}

export type SourcePatch = Partial<NewSource>;

export type InboundOutcome = 'accepted' | 'duplicate' | 'rejected';

/** One request that reached a source, as the log lists it (no body). */
export interface InboundRequestSummary {
  id: string;
  sourceId: string;
  appId: string;
  outcome: InboundOutcome;
  /** The refusal's code and detail (`HOOKLINE_SIGNATURE_MISMATCH: …`); null when accepted. */
  reason: string | null;
  method: string;
  eventType: string | null;
  /** The provider's event id, the dedupe key. */
  eventId: string | null;
  remoteAddress: string | null;
  /** The message it became, once relayed. */
  messageId: string | null;
  createdAt: number;
}

/** An accepted request with what the provider sent, to relay it. */
export interface InboundRequest extends InboundRequestSummary {
  eventType: string;
  /** The raw body, as text (a body that is not UTF-8 is refused at the door). */
  body: string;
  /** The provider's headers, lowercase names, as they came. */
  headers: Record<string, string>;
  query: string;
}

export interface NewInboundRequest {
  sourceId: string;
  appId: string;
  method: string;
  eventType: string;
  eventId: string | null;
  remoteAddress: string | null;
  body: string;
  headers: Record<string, string>;
  query: string;
  /** The source's signature mode when it was accepted: a later change of the source does not alter it. */
  signatureMode: SourceSignatureMode;
}

export interface InboundRefusal {
  sourceId: string;
  appId: string;
  outcome: Exclude<InboundOutcome, 'accepted'>;
  reason: string;
  method: string;
  eventType: string | null;
  eventId: string | null;
  remoteAddress: string | null;
}

/** What a relayed message's deliveries need from the request it came from. */
export interface InboundForwarding {
  headers: Record<string, string>;
  signatureMode: SourceSignatureMode;
}

/** Refusals and duplicates kept per source: a flood of junk must not grow the table. */
export const INBOUND_REFUSALS_KEPT = 1000;

export interface SourcesStore {
  /** Rejects with DuplicateUidError when another source has the uid. */
  createSource(appId: string, input: NewSource, now: number): Promise<Source>;
  getSource(appId: string, idOrUid: string): Promise<Source | null>;
  /** Any application's source by id or uid: the ingest URL names no application. */
  findSource(idOrUid: string): Promise<Source | null>;
  /** One application's sources, or every one (null), newest first. */
  listSources(appId: string | null, options: ListOptions): Promise<Page<Source>>;
  /** A patch replaces each field it has (the verification as a whole). */
  updateSource(appId: string, id: string, patch: SourcePatch, now: number): Promise<Source | null>;
  deleteSource(appId: string, id: string): Promise<boolean>;

  /**
   * Commits an accepted request, durable when the promise resolves. When the source already accepted this event
   * id, nothing is written and the earlier request's id is answered with `duplicate: true`.
   */
  acceptInbound(input: NewInboundRequest, now: number): Promise<{ id: string; duplicate: boolean }>;
  /** Logs a refusal or duplicate (no body), keeping only the newest `keep` (default INBOUND_REFUSALS_KEPT) of the source. */
  recordInboundRefusal(input: InboundRefusal, now: number, keep?: number): Promise<void>;
  /** Accepted requests not yet relayed, oldest first (a relay interrupted by a crash is finished from here). */
  listUnrelayedInbound(limit: number): Promise<InboundRequest[]>;
  markInboundRelayed(requestId: string, messageId: string): Promise<void>;
  /** The log of one source, newest first. */
  listInboundRequests(appId: string, sourceId: string, options: ListOptions): Promise<Page<InboundRequestSummary>>;
  /**
   * How to forward the message relayed from this accepted request (its message's eventId is the request's id);
   * null when the application has no such request, so a message of another application can never borrow it.
   */
  inboundForwarding(appId: string, requestId: string): Promise<InboundForwarding | null>;
}
