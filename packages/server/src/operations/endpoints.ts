// Endpoints of an application: create (a secret is generated unless one is given), replace (PUT: creates when
// missing, with the path as its uid), patch, delete, and the signing secret (read, rotate).
import { REDACTED, withStoredCredentials } from '../engine/destinations/url-credentials.js';
import type { EndpointPatch } from '../store/store.js';
import type { Application, Endpoint } from '../store/types.js';
import { findApplication } from './applications.js';
import type { OperationsContext } from './context.js';
import { type EndpointInput, endpointPatchOf, replacementOf } from './endpoint-input.js';
import { invalidField, notFound, refusingDuplicates } from './errors.js';
import { endpointChanged } from './operational-events.js';
import { UID_PATTERN } from './schemas.js';
import {
  checkSchemeFitsKey,
  checkSigningKey,
  generateSigningKey,
  type KeyType,
  verifyingKeyOf,
} from './signing-keys.js';

export async function findEndpoint(
  context: OperationsContext,
  appIdOrUid: string,
  endpointIdOrUid: string,
): Promise<{ application: Application; endpoint: Endpoint }> {
  const application = await findApplication(context, appIdOrUid);
  const endpoint = await context.store.getEndpoint(application.id, endpointIdOrUid);
  if (endpoint === null) throw notFound('endpoint');
  return { application, endpoint };
}

async function create(
  context: OperationsContext,
  application: Application,
  input: EndpointInput,
  uid: string | null,
): Promise<{ endpoint: Endpoint; secret: string }> {
  const patch = endpointPatchOf(context, input);
  const given = input.secret !== undefined && input.secret !== null;
  const secret = given
    ? await checkSigningKey(input.secret as string, 'secret')
    : await generateSigningKey(input.keyType);
  if (given && input.keyType !== undefined && (input.keyType === 'ed25519') !== secret.startsWith('whsk_')) {
    throw invalidField(['keyType'], `the secret given is not an ${input.keyType} key`);
  }
  checkSchemeFitsKey(patch.signatureScheme ?? 'standard-webhooks', secret, given ? 'secret' : 'keyType');
  const endpoint = await refusingDuplicates(() =>
    context.store.createEndpoint(
      application.id,
      { ...patch, uid: patch.uid ?? uid, url: patch.url as string, secret },
      context.now(),
    ),
  );
  await endpointChanged(context, 'endpoint.created', endpoint);
  return { endpoint, secret };
}

/** Creates an endpoint; the key it signs with is returned (a generated one, or the input's). */
export async function createEndpoint(
  context: OperationsContext,
  appIdOrUid: string,
  input: EndpointInput,
): Promise<{ endpoint: Endpoint; secret: string }> {
  return create(context, await findApplication(context, appIdOrUid), input, null);
}

async function update(
  context: OperationsContext,
  endpoint: Endpoint,
  patch: EndpointPatch,
  secret: string | null | undefined,
): Promise<Endpoint> {
  // Checked before anything is written: a bad secret must not leave the other fields changed.
  const newSecret = secret === undefined || secret === null ? null : await checkSigningKey(secret, 'secret');
  const scheme = patch.signatureScheme ?? endpoint.signatureScheme;
  if (newSecret !== null) checkSchemeFitsKey(scheme, newSecret, 'secret');
  else if (scheme !== endpoint.signatureScheme) {
    const [current] = await context.store.activeSecrets(endpoint.id, context.now());
    if (current !== undefined) checkSchemeFitsKey(scheme, current.secret, 'signatureScheme');
  }
  // The stored URL is opened only for an input that writes back what the API showed (*** for the password).
  if (patch.url?.includes(REDACTED) === true) patch.url = withStoredCredentials(patch.url, endpoint.url);
  const updated = await refusingDuplicates(() =>
    context.store.updateEndpoint(endpoint.appId, endpoint.id, patch, context.now()),
  );
  if (updated === null) throw notFound('endpoint');
  if (newSecret !== null) {
    await context.store.rotateSecret(endpoint.id, newSecret, context.secretRotationGraceMs, context.now());
  }
  // Enabling an endpoint makes its parked deliveries due.
  context.workQueued();
  await endpointChanged(context, 'endpoint.updated', updated);
  // Svix tells a change of the disabled flag on its own too; disabled by hand, as the engine's are automatic.
  if (updated.disabled !== endpoint.disabled) {
    await endpointChanged(context, updated.disabled ? 'endpoint.disabled' : 'endpoint.enabled', updated);
  }
  return updated;
}

/** PUT: the input replaces the endpoint (a secret in it becomes the current one); creates it when there is none. */
export async function replaceEndpoint(
  context: OperationsContext,
  appIdOrUid: string,
  endpointIdOrUid: string,
  input: EndpointInput,
): Promise<{ endpoint: Endpoint; created: boolean }> {
  const application = await findApplication(context, appIdOrUid);
  const existing = await context.store.getEndpoint(application.id, endpointIdOrUid);
  if (existing === null) {
    if (endpointIdOrUid.startsWith('ep_') || !UID_PATTERN.test(endpointIdOrUid)) throw notFound('endpoint');
    const { endpoint } = await create(context, application, input, endpointIdOrUid);
    return { endpoint, created: true };
  }
  const patch = replacementOf(endpointPatchOf(context, input));
  if (input.uid === undefined) patch.uid = existing.uid;
  return { endpoint: await update(context, existing, patch, input.secret), created: false };
}

/** PATCH: changes the fields the input has (a secret given here becomes the current one). */
export async function patchEndpoint(
  context: OperationsContext,
  appIdOrUid: string,
  endpointIdOrUid: string,
  input: EndpointInput,
): Promise<Endpoint> {
  const { endpoint } = await findEndpoint(context, appIdOrUid, endpointIdOrUid);
  return update(context, endpoint, endpointPatchOf(context, input), input.secret);
}

export async function deleteEndpoint(
  context: OperationsContext,
  appIdOrUid: string,
  endpointIdOrUid: string,
): Promise<void> {
  const { application, endpoint } = await findEndpoint(context, appIdOrUid, endpointIdOrUid);
  // Told only when this call deleted it: a concurrent delete that won tells it instead.
  if (await context.store.deleteEndpoint(application.id, endpoint.id)) {
    await endpointChanged(context, 'endpoint.deleted', endpoint);
  }
}

/**
 * What the receiver verifies with, for the key that signs now (the newest one): the `whsec_` secret, or the
 * `whpk_` public key of an Ed25519 key (its `whsk_` never leaves Hookline).
 */
export async function currentSecret(context: OperationsContext, endpoint: Endpoint): Promise<string> {
  const [current] = await context.store.activeSecrets(endpoint.id, context.now());
  if (current === undefined) throw notFound('secret');
  return verifyingKeyOf(current.secret);
}

/**
 * Makes `key` (or a generated key of `keyType`) current; the previous one keeps signing for the rotation grace
 * (both sign each Standard Webhooks delivery, so a receiver may switch keys at any time within it).
 */
export async function rotateEndpointSecret(
  context: OperationsContext,
  endpoint: Endpoint,
  key: string | null | undefined,
  keyType?: KeyType,
): Promise<void> {
  const given = key !== undefined && key !== null;
  const secret = given ? await checkSigningKey(key, 'key') : await generateSigningKey(keyType);
  checkSchemeFitsKey(endpoint.signatureScheme, secret, given ? 'key' : 'keyType');
  await context.store.rotateSecret(endpoint.id, secret, context.secretRotationGraceMs, context.now());
}
