import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type { DynamicModule } from '@nestjs/common';
import {
  ERROR_SCHEMAS,
  errorResponseComponents,
  errors,
  HEADERS,
  NOT_MODIFIED,
  NOT_MODIFIED_REF,
  SECURITY_SCHEMES,
} from './components';
import {
  ControllerDoc,
  OPENAPI_CONTROLLER,
  OPENAPI_OPERATION,
  OperationDoc,
  OperationDocOf,
} from './openapi.decorators';
import type { HttpMethod, JsonSchema, OpenApiDocument, Operation, Parameter } from './openapi.types';
import { TAG_GROUPS } from './tags';

/** One route as Nest mounts it: a method and an Express path. */
export interface Route {
  method: HttpMethod;
  path: string;
  controller: string;
  handler: string;
}

export interface DocumentInfo {
  version: string;
  /** Component schemas the operations refer to (SCIM resources, provisioning items...). */
  schemas: Record<string, JsonSchema>;
}

const HTTP_METHODS: Partial<Record<RequestMethod, HttpMethod>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.DELETE]: 'delete',
};

type ModuleRef = Type | DynamicModule | Promise<DynamicModule>;

/** Every controller a module tree mounts, in the order Nest registers them. */
export function controllersOf(root: ModuleRef): Type[] {
  const seen = new Set<unknown>();
  const controllers: Type[] = [];
  const visit = (ref: ModuleRef | undefined) => {
    if (!ref || ref instanceof Promise) return;
    const dynamic = 'module' in ref ? ref : undefined;
    const type = dynamic ? dynamic.module : (ref as Type);
    const key = dynamic ?? type;
    if (seen.has(key)) return;
    seen.add(key);
    const metadata = (name: string): unknown[] => (Reflect.getMetadata(name, type) as unknown[] | undefined) ?? [];
    for (const imported of [...metadata(MODULE_METADATA.IMPORTS), ...(dynamic?.imports ?? [])]) {
      visit(imported as ModuleRef);
    }
    for (const controller of [...metadata(MODULE_METADATA.CONTROLLERS), ...(dynamic?.controllers ?? [])]) {
      if (!controllers.includes(controller as Type)) controllers.push(controller as Type);
    }
  };
  visit(root);
  return controllers;
}

const asList = (value: unknown): string[] => (Array.isArray(value) ? (value as string[]) : [value as string]);
const joinPath = (...parts: string[]) =>
  '/' +
  parts
    .flatMap((part) => part.split('/'))
    .filter(Boolean)
    .join('/');
/** `/scim/endpoints/:tenantId/Users` → `/scim/endpoints/{tenantId}/Users`. */
export const openApiPath = (expressPath: string) => expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** The handlers of a controller, base classes included (SCIM's resource controllers share theirs). */
function handlersOf(controller: Type): { name: string; fn: object }[] {
  const handlers: { name: string; fn: object }[] = [];
  const names = new Set<string>();
  let proto = controller.prototype as object | null;
  for (; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor' || names.has(name)) continue;
      const fn = Object.getOwnPropertyDescriptor(proto, name)?.value as object | undefined;
      if (typeof fn !== 'function' || Reflect.getMetadata(PATH_METADATA, fn) === undefined) continue;
      names.add(name);
      handlers.push({ name, fn });
    }
  }
  return handlers;
}

/** `GET /scim/v2/Users/:id`: every route a controller mounts, as Nest gives them to Express. */
export function routesOf(controller: Type): string[] {
  return handlersOf(controller).flatMap(({ fn }) => {
    const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod];
    return asList(Reflect.getMetadata(PATH_METADATA, controller)).flatMap((controllerPath) =>
      asList(Reflect.getMetadata(PATH_METADATA, fn)).map((path) => `${method} ${joinPath(controllerPath, path)}`),
    );
  });
}

/**
 * The OpenAPI 3.1 document of the given controllers: every route they mount is an operation, and a
 * route without `@OpenApiOperation` (or a controller without `@OpenApiController`/`@OpenApiExcluded`)
 * stops the build, so the document cannot silently fall behind the code.
 */
export function buildOpenApiDocument(controllers: Type[], info: DocumentInfo): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const ids = new Map<string, string>();
  const problems: string[] = [];
  for (const controller of controllers) {
    const doc = Reflect.getMetadata(OPENAPI_CONTROLLER, controller) as ControllerDoc | { excluded: string } | undefined;
    if (!doc) {
      problems.push(`${controller.name} has neither @OpenApiController nor @OpenApiExcluded`);
      continue;
    }
    if ('excluded' in doc) continue;
    const controllerPaths = asList(Reflect.getMetadata(PATH_METADATA, controller));
    for (const { name, fn } of handlersOf(controller)) {
      const method = HTTP_METHODS[Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod];
      const declared = Reflect.getMetadata(OPENAPI_OPERATION, fn) as OperationDocOf<unknown> | undefined;
      const where = `${controller.name}.${name}`;
      if (!method) {
        problems.push(`${where}: only GET, POST, PUT, PATCH and DELETE are documented`);
        continue;
      }
      if (!declared) {
        problems.push(`${where} has no @OpenApiOperation`);
        continue;
      }
      const operation = typeof declared === 'function' ? declared(doc.context) : declared;
      const methodPaths = asList(Reflect.getMetadata(PATH_METADATA, fn));
      const methodIds = asList(operation.id);
      if (methodIds.length !== methodPaths.length) {
        problems.push(`${where}: ${methodPaths.length} paths but ${methodIds.length} operation ids`);
        continue;
      }
      controllerPaths.forEach((controllerPath, c) => {
        methodPaths.forEach((methodPath, m) => {
          const path = openApiPath(joinPath(controllerPath, methodPath));
          const operationId = methodIds[m] + (doc.idSuffixes?.[c] ?? '');
          const taken = ids.get(operationId);
          if (taken) problems.push(`operationId ${operationId} of ${method} ${path} is also ${taken}'s`);
          ids.set(operationId, `${method} ${path}`);
          if (paths[path]?.[method]) problems.push(`${method} ${path} is mounted twice`);
          const built = toOperation(doc, operation, operationId, method, path, problems);
          paths[path] = { ...paths[path], [method]: built };
        });
      });
    }
  }
  const document = withUsedComponents(
    {
      openapi: '3.1.0',
      info: {
        title: 'Identity provisioning hub',
        version: info.version,
        summary:
          'SCIM 2.0, provisioning transactions, partner user sync and operator APIs over one directory per tenant.',
        description: DESCRIPTION,
        license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
      },
      servers: [{ url: '/', description: 'This service: the document is served by the service it describes.' }],
      tags: TAG_GROUPS.flatMap((group) => group.tags),
      'x-tagGroups': TAG_GROUPS.map((group) => ({ name: group.name, tags: group.tags.map((tag) => tag.name) })),
      paths: withOrderedMethods(paths),
      components: {
        securitySchemes: SECURITY_SCHEMES,
        schemas: { ...ERROR_SCHEMAS, ...info.schemas },
        responses: { ...errorResponseComponents(), NotModified: NOT_MODIFIED },
        headers: HEADERS,
      },
    },
    problems,
  );
  if (problems.length > 0) {
    throw new Error(`The OpenAPI document cannot be built:\n- ${problems.join('\n- ')}`);
  }
  return document;
}

function toOperation(
  controller: ControllerDoc,
  operation: OperationDoc,
  operationId: string,
  method: HttpMethod,
  path: string,
  problems: string[],
): Operation {
  const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]);
  const declared = [
    ...(controller.parameters ?? []).filter((parameter) => templated.includes(parameter.name)),
    ...(operation.parameters ?? []),
  ];
  for (const name of templated) {
    if (!declared.some((parameter) => parameter.in === 'path' && parameter.name === name)) {
      problems.push(`${operationId}: path parameter {${name}} of ${path} is not described`);
    }
  }
  const parameters: Parameter[] = declared
    .filter((parameter) => parameter.in !== 'path' || templated.includes(parameter.name))
    .map((parameter) => (parameter.in === 'path' ? { ...parameter, required: true } : parameter));
  return {
    operationId,
    summary: operation.summary,
    description: operation.description,
    tags: [controller.tag],
    security: operation.security ?? controller.security,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(operation.requestBody ? { requestBody: operation.requestBody } : {}),
    responses: sortedKeys({
      ...errors(controller.door, ...controller.errors),
      ...(method === 'get' ? { '304': NOT_MODIFIED_REF } : {}),
      ...operation.responses,
    }),
  };
}

const sortedKeys = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

/**
 * Paths stay in the order Nest mounts them, so each operation's first path (`/scim/v2`, the
 * contract's own) is listed before its aliases; methods in one fixed order.
 */
function withOrderedMethods(paths: OpenApiDocument['paths']): OpenApiDocument['paths'] {
  const order: HttpMethod[] = ['get', 'post', 'put', 'patch', 'delete'];
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => [
      path,
      Object.fromEntries(order.filter((m) => item[m]).map((m) => [m, item[m]])),
    ]),
  );
}

/** Keeps the components something refers to (directly or through another component). */
function withUsedComponents(document: OpenApiDocument, problems: string[]): OpenApiDocument {
  const used = new Set<string>();
  const pending: unknown[] = [document.paths];
  while (pending.length > 0) {
    const value = pending.pop();
    if (Array.isArray(value)) pending.push(...(value as unknown[]));
    else if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        // Only references into this document: the `$ref` of a SCIM member (RFC 7643) in an example is data.
        if (key === '$ref' && typeof inner === 'string' && inner.startsWith('#/') && !used.has(inner)) {
          used.add(inner);
          const [, , section, name] = inner.split('/');
          const target = (document.components as Record<string, Record<string, unknown>>)[section]?.[name];
          if (target === undefined) problems.push(`nothing answers the reference ${inner}`);
          pending.push(target);
        } else pending.push(inner);
      }
    }
  }
  const keep = <T>(section: string, entries: Record<string, T>) =>
    sortedKeys(
      Object.fromEntries(Object.entries(entries).filter(([name]) => used.has(`#/components/${section}/${name}`))),
    );
  return {
    ...document,
    components: {
      securitySchemes: document.components.securitySchemes,
      schemas: keep('schemas', document.components.schemas),
      responses: keep('responses', document.components.responses),
      headers: keep('headers', document.components.headers),
    },
  };
}

const DESCRIPTION = `One directory of departments and users per tenant, kept by three kinds of callers:

- **Identity providers** (Microsoft Entra ID, Okta) push users and groups over SCIM 2.0 (RFC 7643, RFC 7644) under \`/scim/v2\` (also \`/scim\`, and \`/scim/endpoints/{tenantId}\` scoped by path). A SCIM Group is a department.
- **Integration partners** post batched provisioning transactions (checkpoint, queue department and user operations, commit as a background job, poll its status) under \`/api/provisioning/iam\`, and run the partner user sync at \`/api/admin/users/sync\`.
- **Operators** manage tenants and credentials and read request logs, jobs and transactions under \`/api/admin\`.

Every error is answered in its door's own format: the provisioning envelope, a SCIM Error resource, seed 002's \`{success, error}\` for partner sync, or an RFC 6749 error for \`/oauth/token\`. Rate limits are per credential and answer 429 with \`Retry-After\`.`;
