// A delivery's state in words, one rule for the message page and the message list: from the destination (Svix's
// status: 0 delivered, 1 pending, 2 dead, 3 sending) and the latest attempt. Pending after a failed attempt is
// "failing": it waits for its next retry.
import { api, enc } from '../api.js';

/** [tone, word] for a badge. */
export function deliveryState(latest, destination) {
  if (destination?.statusText === 'sending') return ['warn', 'sending'];
  if (destination?.status === 2) return ['fail', 'dead'];
  if (latest === undefined) return ['warn', 'pending'];
  return latest.status === 0 ? ['ok', 'delivered'] : ['fail', 'failing'];
}

/** Every delivery of one message with its state: its destinations and its attempts (newest first), two requests. */
export async function deliveriesOf(appId, messageId) {
  const base = `/app/${enc(appId)}`;
  const [attemptPage, destinationPage] = await Promise.all([
    api('GET', `${base}/attempt/msg/${enc(messageId)}?limit=250`),
    api('GET', `${base}/msg/${enc(messageId)}/endpoint?limit=250`),
  ]);
  return { attempts: attemptPage.data, destinations: destinationPage.data };
}

/** Counts of each state over a message's deliveries: { delivered: 2, failing: 1 }. */
export function stateCounts({ attempts, destinations }) {
  const latest = new Map();
  for (const attempt of attempts) if (!latest.has(attempt.endpointId)) latest.set(attempt.endpointId, attempt);
  const counts = {};
  for (const destination of destinations) {
    const [, word] = deliveryState(latest.get(destination.id), destination);
    counts[word] = (counts[word] ?? 0) + 1;
  }
  return counts;
}
