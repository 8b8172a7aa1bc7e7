import { createHash } from 'node:crypto';
import type { Response } from 'express';
import { ScimDocument, URN_LIST_RESPONSE } from './schemas';
import { ListQuery, parseProjection } from './scim-list-query';
import { ScimError } from './scim.errors';
import { Projection } from './scim-projection';
import type { ListResult } from './scim-resources.base';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** The SCIM roots: `/scim/v2` (RFC), `/scim` (alias), `/scim/endpoints/{tenantId}` (scoped to a tenant). */
export const SCIM_ROOTS = ['scim/v2', 'scim', 'scim/endpoints/:tenantId'];

/** What each root appends to an operationId, in `SCIM_ROOTS` order: `scimGetUser`, `scimGetUserUnversioned`, `scimGetUserForTenant`. */
export const SCIM_ID_SUFFIXES = ['', 'Unversioned', 'ForTenant'];

export const scimRoutes = (resource: string): string[] => SCIM_ROOTS.map((root) => `${root}/${resource}`);

export function listResponse(query: ListQuery, result: ListResult): Record<string, unknown> {
  if (query.cursor !== undefined) {
    // RFC 9865: a cursor page has no startIndex; its neighbours are named by cursor.
    return {
      schemas: [URN_LIST_RESPONSE],
      totalResults: result.totalResults,
      itemsPerPage: result.resources.length,
      ...(result.previousCursor ? { previousCursor: result.previousCursor } : {}),
      ...(result.nextCursor ? { nextCursor: result.nextCursor } : {}),
      Resources: result.resources,
    };
  }
  return {
    schemas: [URN_LIST_RESPONSE],
    totalResults: result.totalResults,
    startIndex: query.startIndex,
    itemsPerPage: result.resources.length,
    Resources: result.resources,
  };
}

/** Sends one resource with its ETag (and Location when created). */
export function sendResource(res: Response, status: number, document: ScimDocument): void {
  const meta = document.meta as { version?: string; location?: string } | undefined;
  if (meta?.version) res.setHeader('ETag', meta.version);
  if (status === 201 && meta?.location) res.setHeader('Location', meta.location);
  writeJson(res, status, JSON.stringify(document));
}

export function sendJson(res: Response, status: number, body: unknown): void {
  writeJson(res, status, JSON.stringify(body));
}

/**
 * Answers `text` exactly as Express's `res.type(SCIM_CONTENT_TYPE).send(text)` would (the same
 * headers in the same order, its weak ETag of the body unless one is set already, 304 when
 * `If-None-Match` names it, no body for HEAD), without its detours: `res.send` copies the text
 * into a Buffer to hash it (40-60 KB for a page of 100), parses the Content-Type back to set a
 * charset it already has, and writes headers and body as two chunks.
 */
export function writeJson(res: Response, status: number, text: string): void {
  const length = Buffer.byteLength(text);
  res.statusCode = status;
  res.setHeader('Content-Type', SCIM_CONTENT_TYPE);
  res.setHeader('Content-Length', String(length));
  if (!res.hasHeader('ETag')) res.setHeader('ETag', weakEtag(text, length));
  if (res.req.fresh) {
    res.statusCode = 304;
    res.removeHeader('Content-Type');
    res.removeHeader('Content-Length');
    res.end();
    return;
  }
  if (res.req.method === 'HEAD') res.end();
  else res.end(text, 'utf8');
}

/** Express's default ETag (the `etag` package, weak): byte length in hex and the SHA-1 of the body. */
export function weakEtag(text: string, length = Buffer.byteLength(text)): string {
  if (length === 0) return 'W/"0-2jmj7l5rSw0yVb/vlWAYkK/YBwk"';
  const hash = createHash('sha1').update(text, 'utf8').digest('base64').substring(0, 27);
  return `W/"${length.toString(16)}-${hash}"`;
}

/** The SearchRequest of `POST /.search` (RFC 7644 §3.4.3): a JSON object; no body at all searches everything. */
export function searchRequest(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) return body as Record<string, unknown>;
  throw ScimError.invalidSyntax('The SearchRequest must be a JSON object');
}

/** PATCH answers the resource only when the request names `attributes` or `excludedAttributes`. */
export function requestedProjection(query: Record<string, unknown>): Projection | undefined {
  const { attributes, excludedAttributes } = parseProjection(query);
  return attributes || excludedAttributes ? new Projection(attributes, excludedAttributes) : undefined;
}

/** `If-None-Match` naming the current version answers 304 without a body. */
export function sendResourceUnlessCurrent(
  res: Response,
  document: Record<string, unknown>,
  ifNoneMatch?: string,
): void {
  const version = (document.meta as { version?: string } | undefined)?.version;
  const tags = ifNoneMatch?.split(',').map((tag) => tag.trim().replace(/^W\//, '')) ?? [];
  if (version && (tags.includes('*') || tags.includes(version.replace(/^W\//, '')))) {
    res.setHeader('ETag', version);
    res.status(304).end();
    return;
  }
  sendResource(res, 200, document);
}
