/** The raw request body, exactly as received: bytes, or a string that is encoded as UTF-8. Never re-serialized JSON. */
export type RawBody = string | Uint8Array;

/**
 * A secret or key. A string is read as the scheme defines (`whsec_…` base64 for Standard Webhooks, UTF-8 text for
 * GitHub, Stripe and the rest); bytes are used as they are.
 */
export type Secret = string | Uint8Array;

/** Several secrets are accepted during a rotation: the first that matches wins. */
export type Secrets = Secret | readonly Secret[];

/** Headers from any runtime: a Web `Headers` (or anything with `get`), or a plain object such as node's `IncomingHttpHeaders`. */
export type HeadersInput =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

export interface VerifyInput {
  body: RawBody;
  headers: HeadersInput;
  secret: Secrets;
  /** How far the signed timestamp may be from now, in the past or the future. Default 300 (5 minutes). */
  toleranceSeconds?: number;
  /** The clock, in milliseconds since the epoch. Default `Date.now`. Inject it in tests. */
  now?: () => number;
}

export interface VerifiedWebhook {
  scheme: SchemeName;
  /** The message id the sender put in a header, where the scheme has one. */
  id: string | undefined;
  /** The signed timestamp in Unix seconds, where the scheme signs one. */
  timestamp: number | undefined;
}

export interface SignInput {
  body: RawBody;
  secret: Secrets;
  /** Unix seconds. Default: now. Ignored by schemes that sign no timestamp. */
  timestamp?: number;
}

export type SignedHeaders = Record<string, string>;

export type SchemeName =
  | 'standard-webhooks'
  | 'github'
  | 'stripe'
  | 'shopify'
  | 'slack'
  | 'hmac-sha256'
  | (string & {});

export interface Scheme<TSignInput extends SignInput = SignInput> {
  readonly name: SchemeName;
  /** Returns the headers to send with the body. */
  sign(input: TSignInput): Promise<SignedHeaders>;
  /** Resolves when the body is authentic; rejects with a `SignatureError` otherwise. */
  verify(input: VerifyInput): Promise<VerifiedWebhook>;
}
