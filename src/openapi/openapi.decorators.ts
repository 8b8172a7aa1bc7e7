import { SetMetadata } from '@nestjs/common';
import type { Door, ErrorStatus } from './components';
import type { Parameter, RequestBody, Responses, SecurityRequirement } from './openapi.types';

export const OPENAPI_CONTROLLER = 'openapi:controller';
export const OPENAPI_OPERATION = 'openapi:operation';

/** What a controller's operations share. */
export interface ControllerDoc<Context = unknown> {
  tag: string;
  /** Whose error format the controller's failures take. */
  door: Door;
  /** The failures every operation of the controller can give (auth, limits, body parsing, 500, 503). */
  errors: readonly ErrorStatus[];
  /** Who may call: each entry is one accepted set of credentials; `[]` for a public route. */
  security: SecurityRequirement[];
  /**
   * Appended to each operationId for each of the controller's paths, in `@Controller` order, so
   * that every alias has an id of its own (`scimPatchUser`, `scimPatchUserForTenant`).
   */
  idSuffixes?: readonly string[];
  /** Path parameters of the controller's own path (`tenantId`); added where the path has them. */
  parameters?: Parameter[];
  /** Handed to operations declared as functions: a base class serving several resources. */
  context?: Context;
}

export interface OperationDoc {
  /** The operationId; with several method paths, one id per path, in the decorator's order. */
  id: string | readonly string[];
  summary: string;
  description: string;
  /** Defaults to the controller's. */
  security?: SecurityRequirement[];
  parameters?: Parameter[];
  requestBody?: RequestBody;
  responses: Responses;
}

export type OperationDocOf<Context> = OperationDoc | ((context: Context) => OperationDoc);

/** Documents a controller; every controller has this or `@OpenApiExcluded`. */
export const OpenApiController = <Context = unknown>(doc: ControllerDoc<Context>): ClassDecorator =>
  SetMetadata(OPENAPI_CONTROLLER, doc);

/** Leaves a controller out of the document, saying why (a web page, not an API). */
export const OpenApiExcluded = (reason: string): ClassDecorator =>
  SetMetadata(OPENAPI_CONTROLLER, { excluded: reason });

/** Documents one route handler; the document refuses to build while a route lacks this. */
export const OpenApiOperation = <Context = unknown>(doc: OperationDocOf<Context>): MethodDecorator =>
  SetMetadata(OPENAPI_OPERATION, doc);
