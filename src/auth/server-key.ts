import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Keys derived from the one server secret (JWT_SECRET, or generated once and stored in
 * PostgreSQL so a fleet shares it): HMAC for looking up bearer secrets, AES-256-GCM for partner
 * secrets that must stay readable, and the JWT signing key.
 */
export class ServerKey {
  private readonly hmacKey: Buffer;
  private readonly encryptionKey: Buffer;
  readonly jwtSigningKey: Buffer;
  /** Identifies the key without revealing it: a changed fingerprint means stored hashes are stale. */
  readonly fingerprint: string;

  constructor(secret: string) {
    const derive = (purpose: string): Buffer => Buffer.from(hkdfSync('sha256', secret, 'idp-server-key', purpose, 32));
    this.hmacKey = derive('hmac');
    this.encryptionKey = derive('encryption');
    this.jwtSigningKey = derive('jwt');
    this.fingerprint = derive('fingerprint').toString('hex').slice(0, 16);
  }

  hash(secret: string): string {
    return createHmac('sha256', this.hmacKey).update(secret).digest('hex');
  }

  /** Constant-time comparison of a presented secret with a stored hash. */
  matches(secret: string, storedHash: string): boolean {
    const a = Buffer.from(this.hash(secret), 'hex');
    const b = Buffer.from(storedHash, 'hex');
    return a.length === b.length && timingSafeEqual(a, b);
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.encryptionKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join(
      '.',
    );
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('Unrecognised sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** A new random bearer secret; the prefix tells secret scanners and people what it is. */
export function generateSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}
