import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { CredentialsService } from '../auth/credentials.service';
import type { CredentialEntity } from '../auth/entities/credential.entity';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { DomainError } from '../common/domain-error';
import { IdpTestDto } from './dto/idp-test.dto';
import { ENTRA_SETUP, IdpGuide, OKTA_SETUP } from './idp-guides';

export interface IdpSetupView {
  scimBaseUrl: string;
  tokenEndpoint: string;
  credentials: { id: string; name: string; kind: string; lastUsedAt: string | null }[];
  entra: IdpGuide;
  okta: IdpGuide;
}

export interface IdpCheck {
  name: string;
  method: string;
  path: string;
  status: number | null;
  durationMs: number;
  ok: boolean;
  detail: string;
}

export interface IdpTestResult {
  ok: boolean;
  checks: IdpCheck[];
}

/** Where this service answers the caller's own request: the loopback address and port it came in on. */
export interface LocalEndpoint {
  address: string;
  port: number;
}

/** Each loopback call of the connection test gives up after this long. */
export const IDP_CHECK_TIMEOUT_MS = 5000;

/** The kinds of credential an identity provider can authenticate to the SCIM door with. */
const SCIM_KINDS = new Set(['SCIM_SECRET', 'OAUTH_CLIENT']);

/** What an operator needs to connect Entra ID or Okta to one tenant, and a test of the credential it will use. */
@Injectable()
export class IdpSetupService {
  constructor(
    private readonly credentials: CredentialsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `origin`: the request's own (trust-proxy aware), used when PUBLIC_BASE_URL is not set. */
  async setup(tenantId: string, origin: string): Promise<IdpSetupView> {
    const base = this.config.publicBaseUrl ?? origin;
    const usable = (await this.credentials.list(tenantId)).filter(
      (credential) => !credential.revokedOn && SCIM_KINDS.has(credential.kind) && credential.roles.includes('SCIM'),
    );
    return {
      scimBaseUrl: `${base}${scimRoot(tenantId)}`,
      tokenEndpoint: `${base}/oauth/token`,
      credentials: usable.map((credential) => ({
        id: credential.id,
        name: credential.name,
        kind: credential.kind,
        lastUsedAt: lastUsedAt(credential),
      })),
      entra: ENTRA_SETUP,
      okta: OKTA_SETUP,
    };
  }

  /**
   * The calls Entra ID and Okta make when an operator tests or starts provisioning, made against
   * this service over loopback, under the tenant's own SCIM root: so the SCIM door itself decides
   * whether the credential is good for this tenant. The secret goes only into the Authorization
   * header (or the token request's form); no check's detail repeats what was sent.
   */
  async test(tenantId: string, body: IdpTestDto, local: LocalEndpoint): Promise<IdpTestResult> {
    const oauth = body.clientId !== undefined || body.clientSecret !== undefined;
    if (oauth && (body.clientId === undefined || body.clientSecret === undefined)) {
      throw DomainError.validation('clientId and clientSecret go together', {
        field: body.clientId === undefined ? 'clientId' : 'clientSecret',
        message: 'required with the other',
      });
    }
    if (oauth === (body.token !== undefined)) {
      throw DomainError.validation('Send either token, or clientId and clientSecret', {
        field: 'token',
        message: 'send a SCIM secret, or an OAuth client id and secret',
      });
    }
    const origin = `http://${hostOf(local.address)}:${local.port}`;
    const checks: IdpCheck[] = [];
    let bearer = body.token;
    if (oauth) {
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: body.clientId!,
        client_secret: body.clientSecret!,
      });
      const { check, json } = await call(origin, 'OAuth token', 'POST', '/oauth/token', {
        'content-type': 'application/x-www-form-urlencoded',
        body: form.toString(),
      });
      checks.push(check);
      bearer = typeof json?.access_token === 'string' ? json.access_token : undefined;
      if (!bearer) return { ok: false, checks };
    }
    const root = scimRoot(tenantId);
    const nobody = `idp-test-${randomBytes(6).toString('hex')}`;
    const probes: [string, string][] = [
      ['Service provider configuration', '/ServiceProviderConfig'],
      ['Resource types', '/ResourceTypes'],
      ['Schemas', '/Schemas'],
      ['Find a user by userName', `/Users?filter=${encodeURIComponent(`userName eq "${nobody}"`)}`],
      ['First page of users', '/Users?startIndex=1&count=1'],
      ['First page of groups', '/Groups?excludedAttributes=members&count=1'],
    ];
    for (const [name, path] of probes) {
      checks.push((await call(origin, name, 'GET', `${root}${path}`, { authorization: `Bearer ${bearer}` })).check);
    }
    return { ok: checks.every((check) => check.ok), checks };
  }
}

/** The tenant's own SCIM root: a credential of another tenant is refused there (ScimAuthGuard). */
const scimRoot = (tenantId: string): string => `/scim/endpoints/${encodeURIComponent(tenantId)}`;

/** When the credential last authenticated (recorded at most once a minute); null if never. */
function lastUsedAt(credential: CredentialEntity): string | null {
  return credential.lastUsedAt ? credential.lastUsedAt.toISOString() : null;
}

/** A socket's local address as a URL host: IPv4-mapped IPv6 as IPv4, other IPv6 in brackets. */
export function hostOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  return address.includes(':') ? `[${address}]` : address || '127.0.0.1';
}

async function call(
  origin: string,
  name: string,
  method: string,
  path: string,
  request: { authorization?: string; 'content-type'?: string; body?: string },
): Promise<{ check: IdpCheck; json: Record<string, unknown> | undefined }> {
  const { body, ...headers } = request;
  const started = performance.now();
  const shownPath = path.split('?')[0] === path ? path : decodeURIComponent(path);
  try {
    const response = await fetch(`${origin}${path}`, {
      method,
      headers: { accept: 'application/scim+json, application/json', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(IDP_CHECK_TIMEOUT_MS),
    });
    const text = await response.text();
    const durationMs = Math.round(performance.now() - started);
    const json = parseObject(text);
    const ok = response.status >= 200 && response.status < 300 && json !== undefined;
    return {
      check: {
        name,
        method,
        path: shownPath,
        status: response.status,
        durationMs,
        ok,
        detail: detailOf(response.status, json, ok),
      },
      json,
    };
  } catch (error) {
    const durationMs = Math.round(performance.now() - started);
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    const detail = timedOut ? `No answer within ${IDP_CHECK_TIMEOUT_MS / 1000} s` : 'The service could not be reached';
    return { check: { name, method, path: shownPath, status: null, durationMs, ok: false, detail }, json: undefined };
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** What the answer says, in a line: the result's size, or the SCIM or OAuth error's own words. */
function detailOf(status: number, json: Record<string, unknown> | undefined, ok: boolean): string {
  if (ok) {
    if (typeof json?.totalResults === 'number') return `${json.totalResults} result(s)`;
    if (typeof json?.access_token === 'string') return 'Token issued';
    return 'OK';
  }
  const said = [json?.detail, json?.error_description, json?.message, json?.error].find(
    (value): value is string => typeof value === 'string',
  );
  if (status >= 300 && status < 400) return `Redirected (${status}); redirects are not followed`;
  return said ? said.slice(0, 300) : `HTTP ${status}`;
}
