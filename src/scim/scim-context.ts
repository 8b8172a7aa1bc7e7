import type { AuthenticatedRequest } from '../auth/principal';
import { ApiError } from '../common/api-error';
import type { ScimContext } from './scim-resources.base';

/** The SCIM root the request came in under: `/scim/v2`, `/scim` or `/scim/endpoints/{tenantId}`. */
function scimRoot(path: string): string {
  const match = /^(.*?)\/(Users|Groups|Bulk|\.search)(\/|$)/i.exec(path);
  return match ? match[1] : path.replace(/\/+$/, '');
}

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/** A DNS name, an IPv4 address or a bracketed IPv6 address, with an optional port. */
const HOST_AND_PORT = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*\\.?|\\[[0-9A-Fa-f:.]+\\])(?::(\\d{1,5}))?$`);

export function isValidHost(host: string): boolean {
  const match = HOST_AND_PORT.exec(host);
  return match !== null && host.length <= 255 && (match[1] === undefined || Number(match[1]) <= 65535);
}

/**
 * The caller's tenant (from the credential; the guard has checked a path-scoped tenant) and the
 * base URL of `meta.location`: PUBLIC_BASE_URL when set, else what the request says. Express
 * believes X-Forwarded-Proto/-Host only from proxies TRUST_PROXY names, so a client cannot point
 * Location elsewhere with them; a Host that is not a plain host[:port] is refused.
 */
export function scimContext(req: AuthenticatedRequest, publicBaseUrl: string | undefined): ScimContext {
  if (!req.principal?.tenantId) throw new Error('scimContext used on a route without the SCIM guard');
  const origin = publicBaseUrl ?? `${req.protocol}://${requestHost(req)}`;
  const path = (req.originalUrl ?? req.url).split('?')[0];
  return { tenantId: req.principal.tenantId, base: `${origin}${scimRoot(path)}` };
}

/** The last host found valid: a client sends the same Host with every request, so the pattern runs once. */
let lastValidHost: string | undefined;

function requestHost(req: AuthenticatedRequest): string {
  const host = req.host;
  if (host === undefined || host === '') return 'localhost';
  if (host === lastValidHost) return host;
  if (!isValidHost(host)) throw ApiError.badRequest('The Host header is not a valid host[:port]');
  lastValidHost = host;
  return host;
}
