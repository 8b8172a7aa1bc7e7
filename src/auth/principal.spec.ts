import { hasRole } from './principal';

describe('hasRole', () => {
  it('lets PROVISIONING_UPDATE read but not the other way round', () => {
    expect(hasRole(['PROVISIONING_UPDATE'], 'PROVISIONING_SEARCH')).toBe(true);
    expect(hasRole(['PROVISIONING_SEARCH'], 'PROVISIONING_UPDATE')).toBe(false);
  });

  it('grants nothing across kinds', () => {
    expect(hasRole(['SCIM'], 'PROVISIONING_SEARCH')).toBe(false);
    expect(hasRole(['PROVISIONING_UPDATE'], 'ADMIN')).toBe(false);
    expect(hasRole(['ADMIN'], 'ADMIN')).toBe(true);
  });
});
