import { DomainError } from '../common/domain-error';
import { userSearchPage } from './directory-browser.service';
import { hostOf } from './idp-setup.service';

describe('userSearchPage', () => {
  it('numbers its parameters after the tenant ($1): filter, then search, then department', () => {
    const page = userSearchPage(
      { filter: 'userName eq "Ann"', search: '50%_off', departmentId: '6a2f41a0-0c3e-4a8e-9d7a-1b2c3d4e5f60' },
      50,
      100,
    );
    expect(page.parameters).toEqual(['ann', '%50\\%\\_off%', '6a2f41a0-0c3e-4a8e-9d7a-1b2c3d4e5f60']);
    expect(page.condition).toContain('$2');
    expect(page.condition).toContain('lower(u.user_name) LIKE $3');
    expect(page.condition).toContain('a.department_id = $4::uuid');
    expect(page).toMatchObject({ limit: 50, offset: 100 });
  });

  it('is the whole tenant without conditions', () => {
    expect(userSearchPage({}, 50, 0)).toMatchObject({ condition: 'TRUE', parameters: [] });
  });

  it("answers a bad filter as a VALIDATION error naming the field, with the parser's message", () => {
    let error: unknown;
    try {
      userSearchPage({ filter: 'userName eq' }, 50, 0);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'VALIDATION', details: [{ field: 'filter' }] });
    expect((error as DomainError).message).toMatch(/^filter: /);
  });
});

describe('hostOf', () => {
  it('writes a local address as a URL host', () => {
    expect(hostOf('127.0.0.1')).toBe('127.0.0.1');
    expect(hostOf('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(hostOf('::1')).toBe('[::1]');
  });
});
