// The OpenAPI 3.1 document, generated from the routes as Fastify registers them (onRoute): the same schemas that
// validate requests and serialize responses at runtime, so the document cannot drift from the behaviour. JSON
// Schema in route schemas (type arrays for nullable, const, formats) is valid OpenAPI 3.1 as it stands.
import type { FastifyInstance, RouteOptions } from 'fastify';
import { emptyResponse, errorBody, validationErrorBody } from './schemas.js';

type JsonObject = Record<string, unknown>;

// The documentation fields a route schema may carry beside what Fastify validates (as @fastify/swagger reads them).
declare module 'fastify/types/schema.js' {
  interface FastifySchema {
    tags?: readonly string[];
    summary?: string;
    description?: string;
    operationId?: string;
  }
}

interface RouteSchema {
  tags?: string[];
  summary?: string;
  description?: string;
  operationId?: string;
  params?: JsonObject;
  querystring?: JsonObject;
  body?: JsonObject;
  response?: Record<string, JsonObject>;
}

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
}

function propertiesOf(schema: JsonObject | undefined): Array<[string, JsonObject, boolean]> {
  if (schema === undefined) return [];
  const properties = (schema.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => [name, property, required.has(name)]);
}

function acceptsNull(schema: JsonObject): boolean {
  return Array.isArray(schema.type) ? schema.type.includes('null') : schema.type === 'null';
}

function operationOf(route: RouteOptions, publicRoute: boolean): JsonObject {
  const schema = (route.schema ?? {}) as RouteSchema;
  const parameters = [
    ...propertiesOf(schema.params).map(([name, property]) => ({ name, in: 'path', required: true, schema: property })),
    ...propertiesOf(schema.querystring).map(([name, property, required]) => ({
      name,
      in: 'query',
      required,
      ...(name.endsWith('_types') || property.type === 'array' ? { style: 'form', explode: false } : {}),
      schema: property,
    })),
  ];
  const responses: Record<string, JsonObject> = {};
  for (const [status, body] of Object.entries(schema.response ?? {})) {
    const description = typeof body.description === 'string' ? body.description : 'OK';
    responses[status] =
      body === emptyResponse
        ? { description: 'no content' }
        : { description, content: { 'application/json': { schema: body } } };
  }
  if (!publicRoute)
    responses['401'] = { description: 'no or bad token', content: { 'application/json': { schema: errorBody } } };
  responses['4XX'] = { description: 'client error', content: { 'application/json': { schema: errorBody } } };
  if (schema.body !== undefined || schema.querystring !== undefined || schema.params !== undefined) {
    responses['422'] = {
      description: 'validation failed',
      content: { 'application/json': { schema: validationErrorBody } },
    };
  }
  return {
    ...(schema.operationId === undefined ? {} : { operationId: schema.operationId }),
    ...(schema.summary === undefined ? {} : { summary: schema.summary }),
    ...(schema.description === undefined ? {} : { description: schema.description }),
    tags: schema.tags ?? ['Health'],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(schema.body === undefined
      ? {}
      : {
          requestBody: {
            required: !acceptsNull(schema.body),
            content: { 'application/json': { schema: schema.body } },
          },
        }),
    responses,
    ...(publicRoute ? { security: [] } : {}),
  };
}

/** Collects routes as they are registered; install it before any route. */
export class OpenApiCollector {
  private readonly routes: RouteOptions[] = [];
  private built: JsonObject | null = null;

  constructor(
    private readonly info: OpenApiInfo,
    private readonly publicPaths: ReadonlySet<string>,
  ) {}

  install(app: FastifyInstance): void {
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      if (methods.includes('HEAD') || route.schema === undefined) return;
      this.routes.push(route);
      this.built = null;
    });
  }

  document(): JsonObject {
    if (this.built !== null) return this.built;
    const paths: Record<string, Record<string, JsonObject>> = {};
    for (const route of this.routes) {
      const path = route.url.replace(/:([A-Za-z_]+)/g, '{$1}');
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) {
        paths[path] ??= {};
        (paths[path] as Record<string, JsonObject>)[method.toLowerCase()] = operationOf(
          route,
          this.publicPaths.has(route.url),
        );
      }
    }
    this.built = {
      openapi: '3.1.0',
      info: this.info,
      servers: [{ url: '/' }],
      components: { securitySchemes: { HTTPBearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ HTTPBearer: [] }],
      paths,
    };
    return this.built;
  }
}
