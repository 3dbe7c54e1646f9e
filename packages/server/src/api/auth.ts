// Bearer-token auth. One admin token for now (the full-API issue adds per-application keys); only its SHA-256 is
// kept, and the compare is constant-time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { HttpError } from './http-error.js';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function generateAdminToken(): string {
  return `hl_admin_${randomBytes(32).toString('base64url')}`;
}

export function installAuth(app: FastifyInstance, adminTokenSha256: string, publicPaths: ReadonlySet<string>): void {
  const expected = Buffer.from(adminTokenSha256, 'hex');
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?', 1)[0] ?? '';
    if (publicPaths.has(path)) return;
    const header = request.headers.authorization;
    const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match === null) throw new HttpError(401, 'authentication_required', 'send Authorization: Bearer <token>');
    const presented = createHash('sha256')
      .update(match[1] as string)
      .digest();
    if (!timingSafeEqual(presented, expected)) throw new HttpError(401, 'invalid_token', 'the token is not valid');
  });
}
