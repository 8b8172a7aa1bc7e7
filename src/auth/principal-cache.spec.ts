import type { Principal } from './principal';
import { PrincipalCache } from './principal-cache';

const principal = (credentialId: string): Principal => ({
  credentialId,
  tenantId: 'default',
  kind: 'SCIM_SECRET',
  roles: ['SCIM'],
  credentialName: 'test',
  via: 'secret',
});

describe('PrincipalCache', () => {
  let now = 0;
  const cache = (): PrincipalCache => new PrincipalCache(5_000, () => now);
  beforeEach(() => (now = 1_000_000));

  it('answers an entry until its time is up, then never again', () => {
    const c = cache();
    c.set('secret:a', principal('one'));
    now += 4_999;
    expect(c.get('secret:a')).toEqual(principal('one'));
    now += 1;
    expect(c.get('secret:a')).toBeUndefined();
  });

  it("forgets every entry of a revoked credential and no other's", () => {
    const c = cache();
    c.set('secret:a', principal('one'));
    c.set('jwt:one', principal('one'));
    c.set('secret:b', principal('two'));
    c.forget('one');
    expect([c.get('secret:a'), c.get('jwt:one'), c.get('secret:b')]).toEqual([undefined, undefined, principal('two')]);
    c.forget('*');
    expect(c.get('secret:b')).toBeUndefined();
  });

  it('keeps nothing while disabled, and drops what it had when disabled', () => {
    const c = cache();
    c.set('secret:a', principal('one'));
    c.enabled = false;
    expect(c.get('secret:a')).toBeUndefined();
    c.set('secret:b', principal('two'));
    expect(c.get('secret:b')).toBeUndefined();
    c.enabled = true;
    c.set('secret:b', principal('two'));
    expect(c.get('secret:b')).toEqual(principal('two'));
  });

  it('stays bounded: past 10,000 entries the oldest goes first', () => {
    const c = cache();
    for (let i = 0; i <= 10_000; i += 1) c.set(`secret:${i}`, principal(String(i)));
    expect(c.get('secret:0')).toBeUndefined();
    expect(c.get('secret:1')).toEqual(principal('1'));
    expect(c.get('secret:10000')).toEqual(principal('10000'));
  });
});
