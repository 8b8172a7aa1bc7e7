import { createHash, createPrivateKey, generateKeyPairSync, JsonWebKey, KeyObject } from 'node:crypto';

/** The key a stream signs its SETs with: ES256 (ECDSA P-256 with SHA-256). */
export interface StreamKey {
  kid: string;
  /** The private JWK as JSON, to be sealed with the server key before it is stored. */
  privateJwk: string;
  /** What the JWKS publishes. */
  publicJwk: PublicJwk;
}

export interface PublicJwk {
  [member: string]: unknown;
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

export const SET_ALGORITHM = 'ES256';

/** A new key pair; its kid is the RFC 7638 thumbprint of the public key. */
export function generateStreamKey(): StreamKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' }) as JsonWebKey & { x: string; y: string };
  const kid = createHash('sha256')
    .update(JSON.stringify({ crv: 'P-256', kty: 'EC', x: jwk.x, y: jwk.y }))
    .digest('base64url');
  return {
    kid,
    privateJwk: JSON.stringify(privateKey.export({ format: 'jwk' })),
    publicJwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid, alg: SET_ALGORITHM, use: 'sig' },
  };
}

/** The signing key from its unsealed private JWK. */
export function signingKeyFrom(privateJwk: string): KeyObject {
  return createPrivateKey({ key: JSON.parse(privateJwk) as JsonWebKey, format: 'jwk' });
}
