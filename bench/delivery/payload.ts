// The one payload and secret every contender sends, so the bytes on the wire are the same for all of them.

/** A fixed Standard Webhooks secret: benchmarks must be reproducible, and this one guards nothing. */
export const BENCH_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** A JSON event of exactly `bytes` bytes (ASCII), shaped like a real one. */
export function benchPayload(bytes: number): string {
  const event = {
    type: 'invoice.paid',
    timestamp: '2026-11-24T06:00:00Z',
    data: { id: 'in_1QbHookline', customer: 'cus_9s6XKzkNRiz8i3', amount_paid: 4200, currency: 'eur', pad: '' },
  };
  const bare = JSON.stringify(event).length;
  if (bytes < bare) throw new RangeError(`a payload needs at least ${bare} bytes`);
  event.data.pad = 'x'.repeat(bytes - bare);
  return JSON.stringify(event);
}
