import { Body, Controller, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ApiError } from '../common/api-error';
import { hasUnstorableText } from '../common/input-safety';
import { SECURITY } from '../openapi/components';
import { OpenApiController, OpenApiOperation } from '../openapi/openapi.decorators';
import { TAGS } from '../openapi/tags';
import { noteAuthFailure } from './auth-failure';
import { CredentialsService } from './credentials.service';
import { markRateLimited } from '../metrics/rate-limited';
import { OAuthGuessingLimiter } from './oauth-guessing.limiter';
import { ISSUE_OAUTH_TOKEN } from './oauth.openapi';
import type { AuthenticatedRequest } from './principal';
import { TokenService } from './token.service';

interface TokenRequest {
  grant_type?: unknown;
  client_id?: unknown;
  client_secret?: unknown;
}

/** OAuth 2.0 client credentials (RFC 6749 §4.4), form-encoded or JSON, secret in body or Basic. */
@OpenApiController({
  tag: TAGS.oauth.name,
  door: 'oauth',
  errors: [413, 415, 500, 503],
  security: SECURITY.public,
})
@Controller('oauth')
export class OAuthController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly tokens: TokenService,
    private readonly guessing: OAuthGuessingLimiter,
  ) {}

  @Post('token')
  @HttpCode(200)
  @OpenApiOperation(ISSUE_OAUTH_TOKEN)
  async token(
    @Body() body: TokenRequest | undefined,
    @Headers('authorization') authorization: string | undefined,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Record<string, unknown>> {
    const grantType = body?.grant_type;
    if (grantType === undefined) throw ApiError.badRequest('grant_type is required');
    if (grantType !== 'client_credentials') {
      throw new ApiError(
        400,
        'Bad request',
        'Only the client_credentials grant is supported',
        [],
        'unsupported_grant_type',
      );
    }
    const client = clientFrom(body, authorization);
    const clientId = client?.id ?? claimedClientId(body);
    const verdict = await this.guessing.check(clientId, req.ip);
    if (!verdict.allowed) {
      res.setHeader('Retry-After', String(verdict.retryAfterSeconds));
      markRateLimited(res, verdict.by === 'client' ? 'oauth_client_failures' : 'oauth_address_failures');
      throw OAuthGuessingLimiter.refusal(verdict);
    }
    const principal = client ? await this.credentials.checkClient(client.id, client.secret) : 'missing_credentials';
    if (typeof principal === 'string') {
      noteAuthFailure(req, principal);
      await this.guessing.recordFailure(clientId, req.ip);
      throw ApiError.unauthorized('Client authentication failed');
    }
    // The request log names the client's tenant and credential, as for every authenticated call.
    req.principal = principal;
    this.credentials.noteUse(principal.credentialId, 'oauth');
    const { accessToken, expiresIn } = this.tokens.issue(principal);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, scope: principal.roles.join(' ') };
  }
}

function clientFrom(
  body: TokenRequest | undefined,
  authorization: string | undefined,
): { id: string; secret: string } | null {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      const id = safeDecode(decoded.slice(0, colon));
      const secret = safeDecode(decoded.slice(colon + 1));
      return id && secret ? { id, secret } : null;
    }
  }
  const { client_id: id, client_secret: secret } = body ?? {};
  return typeof id === 'string' && typeof secret === 'string' && id && secret ? { id, secret } : null;
}

/** The client id of an attempt that is missing its secret still counts against that client. */
function claimedClientId(body: TokenRequest | undefined): string | null {
  const id = body?.client_id;
  return typeof id === 'string' && id ? id : null;
}

/**
 * RFC 6749 §2.3.1 form-encodes Basic credentials; a malformed escape, a NUL or an unpaired
 * surrogate is a bad credential, not a 500 from the database.
 */
function safeDecode(value: string): string | null {
  try {
    const decoded = decodeURIComponent(value.replace(/\+/g, ' '));
    return hasUnstorableText(decoded) ? null : decoded;
  } catch {
    return null;
  }
}
