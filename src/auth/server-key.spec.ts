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

  it('generates distinct prefixed secrets', () => {
    const a = generateSecret('idp_api');
    expect(a).toMatch(/^idp_api_[A-Za-z0-9_-]{43}$/);
    expect(generateSecret('idp_api')).not.toBe(a);
  });
});
