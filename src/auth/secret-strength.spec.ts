import { randomBytes } from 'node:crypto';
import { chosenSecretWeakness } from './secret-strength';

describe('chosenSecretWeakness', () => {
  it.each([
    ['a'.repeat(40), /repeats a pattern of 1 /],
    ['Password1!'.repeat(4), /repeats a pattern of 10 /],
    ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab', /distinct characters/],
    ['abababababababababababababababababababcd', /distinct characters/],
    ['abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN', /estimated \d+ bits/],
    ['aabbccddeeffgghhiijjkkllmmnnooppqqrrsstt', /estimated \d+ bits/],
    ['short-but-random-Zq8', /at least 32 characters/],
  ])('refuses %s, naming why', (secret, why) => {
    expect(chosenSecretWeakness(secret)).toMatch(why);
  });

  it('accepts what openssl rand and our own generator make', () => {
    for (let i = 0; i < 50; i++) {
      expect(chosenSecretWeakness(randomBytes(32).toString('base64'))).toBeNull();
      expect(chosenSecretWeakness(randomBytes(32).toString('hex'))).toBeNull();
      expect(chosenSecretWeakness(randomBytes(32).toString('base64url'))).toBeNull();
    }
  });
});
