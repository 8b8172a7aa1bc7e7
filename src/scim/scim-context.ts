import type { AuthenticatedRequest } from '../auth/principal';
import type { ScimContext } from './scim-resources.base';

/** The SCIM root the request came in under: `/scim/v2`, `/scim` or `/scim/endpoints/{tenantId}`. */
function scimRoot(path: string): string {
  const match = /^(.*?)\/(Users|Groups|\.search)(\/|$)/i.exec(path);
  return match ? match[1] : path.replace(/\/+$/, '');
}

/**
 * The caller's tenant (from the credential; the guard has checked a path-scoped tenant) and the
 * base URL of `meta.location`: PUBLIC_BASE_URL when set, else what the request says.
 */
export function scimContext(req: AuthenticatedRequest, publicBaseUrl: string | undefined): ScimContext {
  if (!req.principal) throw new Error('scimContext used on a route without the SCIM guard');
  const origin = publicBaseUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;
  const path = (req.originalUrl ?? req.url).split('?')[0];
  return { tenantId: req.principal.tenantId, base: `${origin}${scimRoot(path)}` };
}
