import { randomBytes } from 'node:crypto';
import { TestApp } from '../support/test-app';
import { bodySnippet, ConformanceFailure, SuiteName } from './conformance-result';

export interface ScimTenant {
  tenantId: string;
  /** The tenant's SCIM bearer secret, as the admin API shows it once. */
  secret: string;
}

/** A fresh tenant and SCIM secret through the admin API, so a suite's counts start from an empty directory. */
export async function createScimTenant(t: TestApp, suite: SuiteName): Promise<ScimTenant> {
  const admin = { Authorization: `Bearer ${t.secrets.adminToken}` };
  const tenantId = `conformance-${suite}-${randomBytes(4).toString('hex')}`;
  await t.http
    .post('/api/admin/tenants')
    .set(admin)
    .send({ id: tenantId, name: `SCIM conformance (${suite})` })
    .expect(201);
  const credential = await t.http
    .post(`/api/admin/tenants/${tenantId}/credentials`)
    .set(admin)
    .send({ kind: 'SCIM_SECRET', name: `${suite} conformance suite` })
    .expect(201);
  const secret = credential.body.secret as unknown;
  if (typeof secret !== 'string' || !secret)
    throw new Error('the admin API answered a SCIM credential without its secret');
  return { tenantId, secret };
}

/**
 * The user the Okta suite's first step expects to exist (name, email, active), created over SCIM.
 * Returns a failure to report when SCIM does not create it, since every later step is read in that light.
 */
export async function seedOktaUser(t: TestApp, tenant: ScimTenant): Promise<ConformanceFailure | null> {
  const suffix = randomBytes(4).toString('hex');
  const response = await t.http
    .post('/scim/v2/Users')
    .set('Authorization', `Bearer ${tenant.secret}`)
    .set('Content-Type', 'application/scim+json')
    .send(
      JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: `existing.${suffix}@example.com`,
        name: { givenName: 'Existing', familyName: `User${suffix}` },
        emails: [{ value: `existing.${suffix}@example.com`, type: 'work', primary: true }],
        active: true,
      }),
    );
  if (response.status === 201) return null;
  return {
    suite: 'okta',
    request: 'setup: seed one existing user',
    assertion: 'POST /scim/v2/Users answers 201',
    detail: `HTTP ${response.status} ${bodySnippet(response.text ?? '')}`,
  };
}
