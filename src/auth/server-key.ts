import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** The keys derived from one server secret: HMAC lookups, AES-256-GCM sealing, JWT signing. */
class DerivedKeys {
  readonly hmacKey: Buffer;
  readonly encryptionKey: Buffer;
  readonly jwtSigningKey: Buffer;
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

  decrypt(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('Unrecognised sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.encryptionKey, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }
}

/** What a sealed secret or a stored hash was made under. */
export type KeyGeneration = 'current' | 'previous';

/**
 * The server key ring: the current key (JWT_SECRET / JWT_SECRET_FILE, or the embedded key file)
 * and, during a rotation, the previous one. Everything new is hashed, sealed and signed with the
 * current key; lookups, unsealing and JWT verification also accept the previous key, so a
 * rotation needs no credential to be issued again.
 */
export class ServerKey {
  private readonly current: DerivedKeys;
  private readonly previous: DerivedKeys | null;
  readonly jwtSigningKey: Buffer;
  /** Identifies the key without revealing it: a changed fingerprint means stored hashes are stale. */
  readonly fingerprint: string;
  readonly previousFingerprint: string | null;

  constructor(secret: string, previousSecret?: string) {
    this.current = new DerivedKeys(secret);
    this.previous = previousSecret && previousSecret !== secret ? new DerivedKeys(previousSecret) : null;
    this.jwtSigningKey = this.current.jwtSigningKey;
    this.fingerprint = this.current.fingerprint;
    this.previousFingerprint = this.previous?.fingerprint ?? null;
  }

  /** Signing key first: JWTs are verified against each in turn. */
  get jwtVerificationKeys(): Buffer[] {
    return this.previous ? [this.current.jwtSigningKey, this.previous.jwtSigningKey] : [this.current.jwtSigningKey];
  }

  /** The hash a new credential stores. */
  hash(secret: string): string {
    return this.current.hash(secret);
  }

  /** Every hash the secret may be stored under, current key first. */
  lookupHashes(secret: string): string[] {
    return this.previous ? [this.current.hash(secret), this.previous.hash(secret)] : [this.current.hash(secret)];
  }

  /** Constant-time comparison of a presented secret with a stored hash, under either key. */
  matches(secret: string, storedHash: string): boolean {
    return this.matchedBy(secret, storedHash) !== null;
  }

  /** Which key the stored hash was made under, or null when the secret does not match it. */
  matchedBy(secret: string, storedHash: string): KeyGeneration | null {
    const stored = Buffer.from(storedHash, 'hex');
    const equal = (hash: string): boolean => {
      const candidate = Buffer.from(hash, 'hex');
      return candidate.length === stored.length && timingSafeEqual(candidate, stored);
    };
    // Both compared every time, so the time does not tell which key matched.
    const [current, previous] = [
      equal(this.current.hash(secret)),
      this.previous ? equal(this.previous.hash(secret)) : false,
    ];
    return current ? 'current' : previous ? 'previous' : null;
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.encryptionKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join(
      '.',
    );
  }

  decrypt(sealed: string): string {
    return this.unseal(sealed).plain;
  }

  /** The plain secret and the key that sealed it; throws when neither key can. */
  unseal(sealed: string): { plain: string; sealedWith: KeyGeneration } {
    try {
      return { plain: this.current.decrypt(sealed), sealedWith: 'current' };
    } catch (error) {
      if (!this.previous) throw error;
      return { plain: this.previous.decrypt(sealed), sealedWith: 'previous' };
    }
  }
}

/** A new random bearer secret; the prefix tells secret scanners and people what it is. */
export function generateSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}
