// Who may call which route: pure, from the method and the route's pattern, so the whole policy reads in one
// place and a test can check that every registered route has an answer.
//   public       no key (health, the API description and its reference page)
//   admin        admin keys only (applications list/create/change, API keys, instance operations, operational
//                webhooks)
//   application  any key whose scope covers the route's :appId (admin keys cover all)
//   read         any key (event types are shared by every application; a scoped key may read them)
export type RouteAccess = 'public' | 'admin' | 'application' | 'read';

/** The path parameter naming the application a route acts on; every application route uses this name. */
export const APP_PARAM = 'appId';

const PUBLIC_ROUTES = new Set(['/api/v1/health', '/api/v1/health/', '/api/v1/openapi.json', '/api/v1/docs']);

/** Null when the route is unknown to the policy: the API then treats it as admin-only, and the tests fail. */
export function routeAccess(method: string, url: string): RouteAccess | null {
  if (PUBLIC_ROUTES.has(url)) return 'public';
  // Outside /api/: the dashboard's static files (the page asks for a key and sends it with every API call), the
  // liveness and readiness probes, and /metrics (which guards itself: loopback, or HOOKLINE_METRICS_TOKEN).
  if (!url.startsWith('/api/')) return 'public';
  if (url.startsWith('/api/v1/auth/') || url.startsWith('/api/v1/admin/')) return 'admin';
  // The operator's operational webhooks hear about every application: never a tenant's.
  if (url.startsWith('/api/v1/operational-webhook/')) return 'admin';
  if (url === '/api/v1/event-type' || url.startsWith('/api/v1/event-type/')) {
    return method === 'GET' || method === 'HEAD' ? 'read' : 'admin';
  }
  if (url === '/api/v1/app') return 'admin';
  // Every application's sources at once: an admin's view (a scoped key lists its own under /app/:appId/source).
  if (url === '/api/v1/source') return 'admin';
  // The application itself: a scoped key may read it (a portal shows its name), not change or delete it.
  if (url === `/api/v1/app/:${APP_PARAM}`) return method === 'GET' || method === 'HEAD' ? 'application' : 'admin';
  if (url.startsWith(`/api/v1/app/:${APP_PARAM}/`)) return 'application';
  return null;
}
