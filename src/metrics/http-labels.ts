/**
 * Labels of `idp_http_request_duration_seconds`, kept to bounded sets: the door and the route
 * template, never the raw path (ids, tenants and scanners' guesses would each make a series).
 */

export const DOORS = ['scim', 'provisioning', 'partner', 'admin', 'oauth', 'docs', 'health', 'other'] as const;
export type HttpDoor = (typeof DOORS)[number];

/** What a request matched no route of: one series per door, whatever the path. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The methods a route can be declared for; anything else a client sends is `other`. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The door a path belongs to, by its prefix (the same prefixes that pick the error format in
 * AllExceptionsFilter): the partner sync lives under /api/admin but is the partner's door, and the
 * operator page (/admin) counts with the admin API.
 */
export function doorOf(path: string): HttpDoor {
  const p = path.toLowerCase();
  if (p.startsWith('/scim/') || p === '/scim') return 'scim';
  if (p.startsWith('/api/admin/users/sync')) return 'partner';
  if (p.startsWith('/api/docs')) return 'docs';
  if (p.startsWith('/api/admin') || p === '/admin' || p.startsWith('/admin/')) return 'admin';
  if (p.startsWith('/api/')) return 'provisioning';
  if (p.startsWith('/oauth/')) return 'oauth';
  if (p === '/health' || p.startsWith('/health/')) return 'health';
  return 'other';
}

export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'other';
}

/** `2xx`…`5xx`; anything outside 100–599 (never sent by Express) is `other`. */
export function statusClassOf(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}

/**
 * The template of the route Express matched (`/scim/v2/Users/:id`), or `unmatched`. Nest mounts
 * every route on the application router, so `baseUrl` is empty there; it is kept for routers
 * mounted under a prefix. A template given as a regular expression is not a label: `unmatched`.
 */
export function routeTemplateOf(req: { route?: { path?: unknown }; baseUrl?: string }): string {
  const path = req.route?.path;
  if (typeof path !== 'string') return UNMATCHED_ROUTE;
  return (req.baseUrl ?? '') + path || '/';
}
