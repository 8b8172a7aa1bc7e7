import { generateSecret, ServerKey } from './server-key';

describe('ServerKey', () => {
  const key = new ServerKey('a-server-secret-of-at-least-32-characters');

  it('hashes deterministically and matches only the same secret', () => {
    const hash = key.hash('token-1');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(key.matches('token-1', hash)).toBe(true);
    expect(key.matches('token-2', hash)).toBe(false);
    expect(new ServerKey('another-server-secret-of-32-characters!').hash('token-1')).not.toBe(hash);
  });

  it('encrypts so that only the same key decrypts, and detects tampering', () => {
    const sealed = key.encrypt('partner-secret');
    expect(sealed).not.toContain('partner-secret');
    expect(key.decrypt(sealed)).toBe('partner-secret');
    expect(() => new ServerKey('another-server-secret-of-32-characters!').decrypt(sealed)).toThrow();
    const [v, iv, tag, body] = sealed.split('.');
    const flipped = body[0] === 'A' ? 'B' + body.slice(1) : 'A' + body.slice(1);
    expect(() => key.decrypt([v, iv, tag, flipped].join('.'))).toThrow();
  });

  it('rotates: new work uses the current key, the previous key is still accepted', () => {
    const oldSecret = 'the-previous-server-secret-of-32-chars!';
    const old = new ServerKey(oldSecret);
    const ring = new ServerKey('the-current-server-secret-of-32-chars!!', oldSecret);
    const oldHash = old.hash('token-1');
    expect(ring.hash('token-1')).not.toBe(oldHash);
    expect(ring.lookupHashes('token-1')).toEqual([ring.hash('token-1'), oldHash]);
    expect(ring.matchedBy('token-1', oldHash)).toBe('previous');
    expect(ring.matchedBy('token-1', ring.hash('token-1'))).toBe('current');
    expect(ring.matchedBy('token-2', oldHash)).toBeNull();
    expect(ring.unseal(old.encrypt('partner-secret'))).toEqual({ plain: 'partner-secret', sealedWith: 'previous' });
    expect(ring.unseal(ring.encrypt('partner-secret'))).toEqual({ plain: 'partner-secret', sealedWith: 'current' });
    // What the ring seals, only the current key opens: the previous key can be retired.
    expect(() => old.decrypt(ring.encrypt('partner-secret'))).toThrow();
    expect(ring.jwtVerificationKeys).toEqual([ring.jwtSigningKey, old.jwtSigningKey]);
    expect(ring.previousFingerprint).toBe(old.fingerprint);
    expect(new ServerKey(oldSecret, oldSecret).previousFingerprint).toBeNull();
  });

  it('generates distinct prefixed secrets', () => {
    const a = generateSecret('idp_api');
    expect(a).toMatch(/^idp_api_[A-Za-z0-9_-]{43}$/);
    expect(generateSecret('idp_api')).not.toBe(a);
  });
});
