import { HttpError } from '../http-error.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 250;

export const listQuerySchema = {
  type: 'object',
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT },
    iterator: { type: 'string', maxLength: 64 },
  },
} as const;

export function listOptions(query: unknown): { limit: number; iterator: string | null } {
  const q = (query ?? {}) as { limit?: number; iterator?: string };
  const limit = q.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new HttpError(422, 'validation', `limit must be an integer 1-${MAX_LIMIT}`);
  }
  return { limit, iterator: q.iterator ?? null };
}
