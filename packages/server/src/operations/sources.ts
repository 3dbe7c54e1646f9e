// Sources of an application: the public ingest URLs in front of it. What a source's input may say (a verification
// that can actually verify: a secret the scheme accepts, a fetch-back URL the SSRF guard allows, CIDRs that parse,
// a response policy the receiver accepts), and create, get, list, patch, delete.
import { compileUrlTemplate, createAddressMatcher, resolveResponsePolicy, schemes } from '@hookline/receiver';
import { HEADER_NAME, HEADER_VALUE } from '../engine/delivery-headers.js';
import { DEFAULT_SOURCE_MAX_BODY_BYTES } from '../store/source-rows.js';
import type { NewSource, Source, SourcePatch, SourceResponse, SourceVerification } from '../store/sources.js';
import { findApplication } from './applications.js';
import type { OperationsContext } from './context.js';
import { invalidField, notFound, OperationError, refusingDuplicates } from './errors.js';
import { eventTypeName, uidSchema } from './schemas.js';

/** The ingest URL's body limit may be set up to this (providers send well under 1 MiB; GitHub caps at 25 MiB). */
export const MAX_SOURCE_BODY_BYTES = 25 * 1024 * 1024;

const headerName = {
  type: 'string',
  minLength: 1,
  maxLength: 256,
  pattern: "^[!#$%&'*+\\-.^_`|~0-9A-Za-z]+$",
} as const;
const secretText = { type: 'string', minLength: 1, maxLength: 1024 } as const;

const verificationSchema = {
  oneOf: [
    {
      type: 'object',
      required: ['type', 'scheme', 'secrets'],
      properties: {
        type: { const: 'signature' },
        scheme: { enum: ['standard-webhooks', 'github', 'stripe', 'shopify', 'slack', 'hmac-sha256'] },
        secrets: { type: 'array', minItems: 1, maxItems: 16, items: secretText },
        toleranceSeconds: { type: 'integer', minimum: 1, maximum: 86_400 },
        header: headerName,
        prefix: { type: 'string', maxLength: 64 },
        encoding: { enum: ['hex', 'base64'] },
      },
    },
    {
      type: 'object',
      required: ['type', 'username', 'password'],
      properties: {
        type: { const: 'basic-auth' },
        username: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^:]*$' },
        password: secretText,
      },
    },
    {
      type: 'object',
      required: ['type', 'header', 'token'],
      properties: {
        type: { const: 'header-token' },
        header: headerName,
        token: { type: 'string', minLength: 16, maxLength: 1024 },
      },
    },
    {
      type: 'object',
      required: ['type', 'url'],
      properties: {
        type: { const: 'fetch-back' },
        url: { type: 'string', minLength: 1, maxLength: 2048 },
        headers: { type: 'object', maxProperties: 20, additionalProperties: { type: 'string', maxLength: 4096 } },
        expect: {
          type: 'object',
          required: ['field', 'equals'],
          properties: {
            field: { type: 'string', minLength: 1, maxLength: 256 },
            // anyOf rather than a type list: ajv's strict mode warns at every start on union types.
            equals: { anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }] },
          },
        },
      },
    },
  ],
} as const;

const identifySchema = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    type: eventTypeName,
    typeField: { type: 'string', minLength: 1, maxLength: 256 },
    typePrefix: { type: 'string', maxLength: 128, pattern: '^[a-zA-Z0-9\\-_.]*$' },
    idField: { type: 'string', minLength: 1, maxLength: 256 },
  },
} as const;

const responseSchema = {
  oneOf: [
    { type: 'object', required: ['policy'], properties: { policy: { const: 'honest' } } },
    {
      type: 'object',
      required: ['policy', 'body'],
      properties: {
        policy: { const: 'acknowledge' },
        body: { type: 'string', maxLength: 4096 },
        status: { type: 'integer', minimum: 200, maximum: 299 },
        contentType: { type: 'string', minLength: 1, maxLength: 256 },
      },
    },
  ],
} as const;

const sourceProperties = {
  uid: uidSchema,
  name: { type: 'string', minLength: 1, maxLength: 256 },
  verification: verificationSchema,
  identify: identifySchema,
  allowlist: { type: ['array', 'null'], maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 64 } },
  rateLimit: { type: ['number', 'null'], exclusiveMinimum: 0, maximum: 1_000_000 },
  response: responseSchema,
  signatureMode: { enum: ['original', 'hookline'] },
  maxBodyBytes: { type: 'integer', minimum: 1, maximum: MAX_SOURCE_BODY_BYTES },
  disabled: { type: 'boolean' },
} as const;

export const sourceInSchema = {
  type: 'object',
  required: ['name', 'verification'],
  additionalProperties: false,
  properties: sourceProperties,
} as const;

export const sourcePatchInSchema = {
  type: 'object',
  additionalProperties: false,
  properties: sourceProperties,
} as const;

/** A source as callers describe it; it has passed sourceInSchema (or, for a patch, sourcePatchInSchema). */
export type SourceInput = NewSource;

// The branches of a oneOf do not say additionalProperties: false, because the validator removes additional
// properties as it tries each branch (and would strip the fields of the branch that matches); the rules below keep
// only the fields of the branch instead.

/** The secret must be one the scheme can use (Standard Webhooks wants whsec_ and base64): tried by signing once. */
async function checkVerification(context: OperationsContext, verification: SourceVerification): Promise<void> {
  if (verification.type === 'signature') {
    const scheme = schemes[verification.scheme];
    for (const [index, secret] of verification.secrets.entries()) {
      try {
        await scheme.sign({ id: 'msg_check', body: '', secret, timestamp: 1 } as Parameters<typeof scheme.sign>[0]);
      } catch (error) {
        if ((error as { code?: string }).code !== 'HOOKLINE_SIGNATURE_INVALID_SECRET') throw error;
        throw invalidField(
          ['verification', 'secrets', index],
          `not a secret the ${verification.scheme} scheme can use`,
        );
      }
    }
    if (
      verification.scheme !== 'hmac-sha256' &&
      (verification.header ?? verification.prefix ?? verification.encoding)
    ) {
      throw invalidField(['verification'], 'header, prefix and encoding are for the hmac-sha256 scheme only');
    }
    return;
  }
  if (verification.type === 'fetch-back') {
    let origin: string;
    try {
      origin = compileUrlTemplate(verification.url).origin;
    } catch (error) {
      throw invalidField(['verification', 'url'], error instanceof Error ? error.message : 'not a usable URL template');
    }
    // The same guard as endpoint URLs, with the server's network policy; the GET itself is guarded at connect time.
    const verdict = context.checkEndpointUrl(origin);
    if (!verdict.ok) throw new OperationError(verdict.code, verdict.detail, 'invalid');
    for (const [name, value] of Object.entries(verification.headers ?? {})) {
      if (!HEADER_NAME.test(name) || !HEADER_VALUE.test(value)) {
        throw invalidField(['verification', 'headers', name.slice(0, 64)], 'not a usable header');
      }
    }
  }
}

/** The verification with only its own type's fields (see the note above the checks). */
function verificationOf(verification: SourceVerification): SourceVerification {
  switch (verification.type) {
    case 'signature': {
      const { scheme, secrets, toleranceSeconds, header, prefix, encoding } = verification;
      return {
        type: 'signature',
        scheme,
        secrets,
        ...(toleranceSeconds === undefined ? {} : { toleranceSeconds }),
        ...(header === undefined ? {} : { header }),
        ...(prefix === undefined ? {} : { prefix }),
        ...(encoding === undefined ? {} : { encoding }),
      };
    }
    case 'basic-auth':
      return { type: 'basic-auth', username: verification.username, password: verification.password };
    case 'header-token':
      return { type: 'header-token', header: verification.header, token: verification.token };
    case 'fetch-back':
      return {
        type: 'fetch-back',
        url: verification.url,
        headers: verification.headers ?? {},
        ...(verification.expect === undefined ? {} : { expect: verification.expect }),
      };
  }
}

function responseOf(response: SourceResponse): SourceResponse {
  if (response.policy === 'honest') return { policy: 'honest' };
  const { body, status, contentType } = response;
  return {
    policy: 'acknowledge',
    body,
    ...(status === undefined ? {} : { status }),
    ...(contentType === undefined ? {} : { contentType }),
  };
}

/** The input with only the fields each part's rule knows. */
function cleaned<T extends SourcePatch>(input: T): T {
  return {
    ...input,
    ...(input.verification === undefined ? {} : { verification: verificationOf(input.verification) }),
    ...(input.response === undefined ? {} : { response: responseOf(input.response) }),
  };
}

/** Checks what the input sets; a patch checks only the fields it has. */
async function checkSourceInput(context: OperationsContext, input: SourcePatch): Promise<void> {
  if (typeof input.uid === 'string' && input.uid.startsWith('src_')) {
    throw invalidField(['uid'], 'a uid may not start with src_ (ids do)');
  }
  if (input.verification !== undefined) await checkVerification(context, input.verification);
  if (input.allowlist !== undefined && input.allowlist !== null) {
    try {
      createAddressMatcher(input.allowlist);
    } catch (error) {
      throw invalidField(['allowlist'], error instanceof Error ? error.message : 'not a list of CIDRs');
    }
  }
  const identify = input.identify;
  if (identify !== undefined && identify !== null && identify.type !== undefined && identify.typeField !== undefined) {
    throw invalidField(['identify'], 'give either type (fixed) or typeField, not both');
  }
  if (input.response !== undefined && input.response.policy === 'acknowledge') {
    try {
      resolveResponsePolicy({ acknowledge: { ...input.response } });
    } catch (error) {
      throw invalidField(['response'], error instanceof Error ? error.message : 'not a usable response');
    }
  }
}

export async function createSource(
  context: OperationsContext,
  appIdOrUid: string,
  input: SourceInput,
): Promise<Source> {
  const application = await findApplication(context, appIdOrUid);
  const checked = cleaned(input);
  await checkSourceInput(context, checked);
  return refusingDuplicates(() =>
    context.store.createSource(
      application.id,
      { ...checked, maxBodyBytes: checked.maxBodyBytes ?? DEFAULT_SOURCE_MAX_BODY_BYTES },
      context.now(),
    ),
  );
}

export async function findSource(
  context: OperationsContext,
  appIdOrUid: string,
  sourceIdOrUid: string,
): Promise<Source> {
  const application = await findApplication(context, appIdOrUid);
  const source = await context.store.getSource(application.id, sourceIdOrUid);
  if (source === null) throw notFound('source');
  return source;
}

export async function patchSource(
  context: OperationsContext,
  appIdOrUid: string,
  sourceIdOrUid: string,
  patch: SourcePatch,
): Promise<Source> {
  const source = await findSource(context, appIdOrUid, sourceIdOrUid);
  const checked = cleaned(patch);
  await checkSourceInput(context, checked);
  const updated = await refusingDuplicates(() =>
    context.store.updateSource(source.appId, source.id, checked, context.now()),
  );
  if (updated === null) throw notFound('source');
  return updated;
}

export async function deleteSource(
  context: OperationsContext,
  appIdOrUid: string,
  sourceIdOrUid: string,
): Promise<void> {
  const source = await findSource(context, appIdOrUid, sourceIdOrUid);
  if (!(await context.store.deleteSource(source.appId, source.id))) throw notFound('source');
}
