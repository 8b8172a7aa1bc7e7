import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AuthFailure, jwtFailure } from './auth-failure';
import { CredentialsService } from './credentials.service';
import { Principal } from './principal';
import { ServerKey } from './server-key';
import { SERVER_KEY } from './server-key.provider';

export const ACCESS_TOKEN_TTL_SECONDS = 3600;

interface AccessClaims {
  /** The issuing credential: checked against revocation on every request. */
  cid: string;
  tid: string | null;
  roles: string[];
}

/** JWTs this service issues: HS256 only, one hour, revoked with their credential. */
@Injectable()
export class TokenService {
  private readonly jwt: JwtService;

  constructor(
    private readonly credentials: CredentialsService,
    @Inject(SERVER_KEY) private readonly serverKey: ServerKey,
  ) {
    this.jwt = new JwtService({ secret: serverKey.jwtSigningKey });
  }

  issue(principal: Principal): { accessToken: string; expiresIn: number } {
    const claims: AccessClaims = { cid: principal.credentialId, tid: principal.tenantId, roles: principal.roles };
    const accessToken = this.jwt.sign(claims, {
      algorithm: 'HS256',
      expiresIn: ACCESS_TOKEN_TTL_SECONDS,
      subject: principal.credentialId,
      issuer: 'identity-provisioning-hub',
    });
    return { accessToken, expiresIn: ACCESS_TOKEN_TTL_SECONDS };
  }

  /** The principal of a valid, unexpired, unrevoked token; null for anything else. */
  async verify(token: string): Promise<Principal | null> {
    const checked = await this.check(token);
    return typeof checked === 'string' ? null : checked;
  }

  /** The principal of a valid, unexpired, unrevoked token, or why the token is refused. */
  async check(token: string): Promise<Principal | AuthFailure> {
    const claims = await this.verifiedClaims(token);
    if (typeof claims === 'string') return claims;
    const principal = await this.credentials.activePrincipal(claims.cid);
    if (!principal) return 'revoked_credential';
    // The stored credential is the truth for tenant and roles, so a revoke or a change is immediate.
    if (principal.tenantId !== claims.tid) return 'wrong_tenant';
    return { ...principal, via: 'jwt' };
  }

  /**
   * Tokens signed before a rotation stay good for their hour: the previous key verifies too. A
   * refusal other than the signature's comes from the key that signed the token, and says more.
   */
  private async verifiedClaims(token: string): Promise<AccessClaims | AuthFailure> {
    let failure: AuthFailure = 'bad_signature';
    for (const secret of this.serverKey.jwtVerificationKeys) {
      try {
        // Pinned to HS256: `alg: none` and every other algorithm are refused by the verifier.
        return await this.jwt.verifyAsync<AccessClaims & object>(token, {
          secret,
          algorithms: ['HS256'],
          issuer: 'identity-provisioning-hub',
        });
      } catch (error) {
        // Next key; none left answers why the last telling one refused.
        const reason = jwtFailure(error);
        if (reason !== 'bad_signature') failure = reason;
      }
    }
    return failure;
  }
}

/** A compact JWS has three dot-separated base64url parts. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}
