import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { CredentialsService } from './credentials.service';
import { Principal } from './principal';
import { ServerKey } from './server-key';
import { SERVER_KEY } from './server-key.provider';

export const ACCESS_TOKEN_TTL_SECONDS = 3600;

interface AccessClaims {
  /** The issuing credential: checked against revocation on every request. */
  cid: string;
  tid: string;
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
    const claims = await this.verifiedClaims(token);
    if (!claims) return null;
    const principal = await this.credentials.activePrincipal(claims.cid);
    // The stored credential is the truth for tenant and roles, so a revoke or a change is immediate.
    if (!principal || principal.tenantId !== claims.tid) return null;
    return { ...principal, via: 'jwt' };
  }

  /** Tokens signed before a rotation stay good for their hour: the previous key verifies too. */
  private async verifiedClaims(token: string): Promise<AccessClaims | null> {
    for (const secret of this.serverKey.jwtVerificationKeys) {
      try {
        // Pinned to HS256: `alg: none` and every other algorithm are refused by the verifier.
        return await this.jwt.verifyAsync<AccessClaims & object>(token, {
          secret,
          algorithms: ['HS256'],
          issuer: 'identity-provisioning-hub',
        });
      } catch {
        // Next key; none left answers null.
      }
    }
    return null;
  }
}

/** A compact JWS has three dot-separated base64url parts. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}
