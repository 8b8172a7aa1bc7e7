/**
 * The parts of OpenAPI 3.1 this service writes. Schemas are JSON Schema 2020-12 (3.1 uses it as is),
 * so a nullable field is `type: ['string', 'null']`, never 3.0's `nullable`.
 */
export type JsonSchema = { [keyword: string]: unknown };

export interface Ref {
  $ref: string;
}

export interface Example {
  summary?: string;
  description?: string;
  value: unknown;
}

export interface MediaType {
  schema: JsonSchema | Ref;
  /** Named examples; each is checked against `schema` by the lint. */
  examples?: Record<string, Example>;
}

export type Content = Record<string, MediaType>;

export interface Header {
  description: string;
  required?: boolean;
  schema: JsonSchema;
}

export interface Response {
  description: string;
  headers?: Record<string, Header | Ref>;
  content?: Content;
}

export type Responses = Record<string, Response | Ref>;

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  description: string;
  required?: boolean;
  schema: JsonSchema;
  example?: unknown;
}

export interface RequestBody {
  description: string;
  required: boolean;
  content: Content;
}

/** One alternative of the credentials an operation accepts; `{}` means none. */
export type SecurityRequirement = Record<string, string[]>;

export interface Operation {
  operationId: string;
  summary: string;
  description: string;
  tags: string[];
  security: SecurityRequirement[];
  parameters?: Parameter[];
  requestBody?: RequestBody;
  responses: Responses;
}

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface Tag {
  name: string;
  description: string;
}

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: Record<string, unknown>;
  servers: { url: string; description: string }[];
  tags: Tag[];
  'x-tagGroups': { name: string; tags: string[] }[];
  paths: Record<string, Partial<Record<HttpMethod, Operation>>>;
  components: {
    securitySchemes: Record<string, unknown>;
    schemas: Record<string, JsonSchema>;
    responses: Record<string, Response>;
    headers: Record<string, Header>;
  };
}
