// Finding a message of an application, by id or by the caller's event id: every route and operation that names one
// in its path answers the same 404 when either is missing.
import type { Application, Message } from '../store/types.js';
import { findApplication } from './applications.js';
import type { OperationsContext } from './context.js';
import { notFound } from './errors.js';

export async function findMessage(
  context: OperationsContext,
  appIdOrUid: string,
  messageIdOrEventId: string,
): Promise<{ application: Application; message: Message }> {
  const application = await findApplication(context, appIdOrUid);
  const message = await context.store.getMessage(application.id, messageIdOrEventId);
  if (message === null) throw notFound('message');
  return { application, message };
}
