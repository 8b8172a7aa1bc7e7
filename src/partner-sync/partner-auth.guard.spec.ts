import type { ExecutionContext } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import * as jwt from 'jsonwebtoken';
import type { CredentialsService } from '../auth/credentials.service';
import type { TenantsService } from '../directory/tenants.service';
import { lifetimeProblem, PartnerAuthGuard } from './partner-auth.guard';

const SECRET = 'acme-partner-secret-of-enough-length-0123456789';
const now = (): number => Math.floor(Date.now() / 1000);

function guardWithCalls() {
  const calls: string[] = [];
  const tenants = {
    findByOrgCode: (orgCode: string) => {
      calls.push(`tenant:${orgCode}`);
      return Promise.resolve(orgCode === 'acme' ? { id: 'acme-tenant', orgCode: 'acme' } : null);
    },
  } as unknown as TenantsService;
  const credentials = {
    partnerKey: (tenantId: string) => {
      calls.push(`key:${tenantId}`);
      return Promise.resolve(tenantId === 'acme-tenant' ? { credentialId: 'cred-1', secret: SECRET } : null);
    },
    noteUse: (credentialId: string, door: string) => calls.push(`used:${credentialId}:${door}`),
  } as unknown as CredentialsService;
  return { guard: new PartnerAuthGuard(tenants, credentials), calls };
}

function contextFor(token: string, orgCode: string): ExecutionContext {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  const req = { headers, header: (name: string) => headers[name.toLowerCase()], body: { users: [{ orgCode }] } };
  return { switchToHttp: () => ({ getRequest: () => req }) } as unknown as ExecutionContext;
}

const sign = (payload: object, secret = SECRET): string => jwt.sign(payload, secret, { algorithm: 'HS256' });

describe('PartnerAuthGuard', () => {
  afterEach(() => jest.restoreAllMocks());

  it('accepts a token of at most an hour', async () => {
    const { guard } = guardWithCalls();
    const token = sign({ orgCode: 'acme', iat: now(), exp: now() + 3600 });
    await expect(guard.canActivate(contextFor(token, 'acme'))).resolves.toBe(true);
  });

  it.each([
    ['no exp', { orgCode: 'acme' }],
    ['exp 1e308', { orgCode: 'acme', exp: 1e308 }],
    ['exp 1e308 with iat', { orgCode: 'acme', iat: now(), exp: 1e308 }],
    ['exp two hours after iat', { orgCode: 'acme', iat: now() - 3600, exp: now() + 3600 }],
    ['exp two hours from now, no iat', { orgCode: 'acme', exp: now() + 7200 }],
    ['expired', { orgCode: 'acme', exp: now() - 600 }],
  ])('refuses %s with the one 403', async (_, payload) => {
    const { guard } = guardWithCalls();
    await expect(guard.canActivate(contextFor(sign(payload), 'acme'))).rejects.toMatchObject({
      httpStatus: 403,
      error: 'Invalid or expired token',
    });
  });

  it('takes the same steps for an unknown org code as for a known one with a wrong key', async () => {
    const verify = jest.spyOn(JwtService.prototype, 'verifyAsync');
    const unknown = guardWithCalls();
    const wrongKey = guardWithCalls();
    const exp = now() + 300;
    await expect(
      unknown.guard.canActivate(contextFor(sign({ orgCode: 'nobody', exp }), 'nobody')),
    ).rejects.toMatchObject({ httpStatus: 403, error: 'Invalid or expired token' });
    await expect(
      wrongKey.guard.canActivate(contextFor(sign({ orgCode: 'acme', exp }, 'x'.repeat(40)), 'acme')),
    ).rejects.toMatchObject({ httpStatus: 403, error: 'Invalid or expired token' });
    // Both looked the tenant up, then a key, then checked a signature: no early return.
    expect(unknown.calls).toEqual(['tenant:nobody', 'key:']);
    expect(wrongKey.calls).toEqual(['tenant:acme', 'key:acme-tenant']);
    expect(verify).toHaveBeenCalledTimes(2);
    const secrets = verify.mock.calls.map(([, options]) => (options as { secret: string }).secret);
    expect(secrets[0]).toEqual(expect.any(String));
    expect(secrets[0]).not.toBe(SECRET);
    expect(secrets[1]).toBe(SECRET);
  });
});

describe('lifetimeProblem', () => {
  it('allows the clock skew and nothing more', () => {
    const t = 1_800_000_000;
    expect(lifetimeProblem({ iat: t, exp: t + 3600 }, t)).toBeNull();
    expect(lifetimeProblem({ exp: t + 3600 + 60 }, t)).toBeNull();
    expect(lifetimeProblem({ exp: t + 3600 + 61 }, t)).toBe('exp more than 1 h from now');
    expect(lifetimeProblem({ iat: t, exp: t + 3601 }, t)).toBe('exp more than 1 h after iat');
    expect(lifetimeProblem({ iat: t + 120, exp: t + 600 }, t)).toBe('iat in the future');
    expect(lifetimeProblem({ exp: Infinity }, t)).toBe('exp missing');
  });
});
