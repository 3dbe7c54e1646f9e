import { expect, it } from 'vitest';
import { routeAccess } from './access-policy.js';

it('health and the API description are public', () => {
  expect(routeAccess('GET', '/api/v1/health/')).toBe('public');
  expect(routeAccess('GET', '/api/v1/openapi.json')).toBe('public');
  expect(routeAccess('GET', '/api/v1/docs')).toBe('public');
});

it('listing and creating applications, keys and instance operations are admin-only', () => {
  expect(routeAccess('GET', '/api/v1/app')).toBe('admin');
  expect(routeAccess('POST', '/api/v1/app')).toBe('admin');
  expect(routeAccess('POST', '/api/v1/auth/api-key')).toBe('admin');
  expect(routeAccess('POST', '/api/v1/auth/app-portal-access/:appId')).toBe('admin');
  expect(routeAccess('POST', '/api/v1/admin/delivery/pause')).toBe('admin');
});

it('a scoped key reads its application but may not change or delete it', () => {
  expect(routeAccess('GET', '/api/v1/app/:appId')).toBe('application');
  expect(routeAccess('PUT', '/api/v1/app/:appId')).toBe('admin');
  expect(routeAccess('PATCH', '/api/v1/app/:appId')).toBe('admin');
  expect(routeAccess('DELETE', '/api/v1/app/:appId')).toBe('admin');
});

it("everything under an application is the application's", () => {
  expect(routeAccess('POST', '/api/v1/app/:appId/msg')).toBe('application');
  expect(routeAccess('DELETE', '/api/v1/app/:appId/endpoint/:endpointId')).toBe('application');
});

it('event types are read-only for scoped keys', () => {
  expect(routeAccess('GET', '/api/v1/event-type')).toBe('read');
  expect(routeAccess('GET', '/api/v1/event-type/:name')).toBe('read');
  expect(routeAccess('POST', '/api/v1/event-type')).toBe('admin');
  expect(routeAccess('DELETE', '/api/v1/event-type/:name')).toBe('admin');
});

it('a route the policy does not know answers null, so the isolation test fails on it', () => {
  expect(routeAccess('GET', '/api/v1/something-new')).toBeNull();
  expect(routeAccess('GET', '/api/v1/app/:app_id/endpoint')).toBeNull();
});
