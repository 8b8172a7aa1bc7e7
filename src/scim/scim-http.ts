import type { Response } from 'express';
import { ScimDocument, URN_LIST_RESPONSE } from './schemas';
import { ListQuery, parseProjection } from './scim-list-query';
import { Projection } from './scim-projection';
import type { ListResult } from './scim-resources.base';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';

/** The SCIM roots: `/scim/v2` (RFC), `/scim` (alias), `/scim/endpoints/{tenantId}` (scoped to a tenant). */
export const SCIM_ROOTS = ['scim/v2', 'scim', 'scim/endpoints/:tenantId'];

export const scimRoutes = (resource: string): string[] => SCIM_ROOTS.map((root) => `${root}/${resource}`);

export function listResponse(query: ListQuery, result: ListResult): Record<string, unknown> {
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
  res.status(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(document));
}

export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status).type(SCIM_CONTENT_TYPE).send(JSON.stringify(body));
}

/** A `POST /.search` body: a SearchRequest object (its `schemas` is not required to be exact). */
export function searchRequest(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
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
