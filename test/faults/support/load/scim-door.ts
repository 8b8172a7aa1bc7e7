import type { ExpectedDepartment, ExpectedMembership, ExpectedTenant, ExpectedUser } from './end-state';
import type { Rng } from './rng';
import { Connection, UnexpectedAnswer } from './traffic';

const URN_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const URN_ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const URN_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const URN_PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const URN_LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
/** A client keeps at most this many live users and groups, so its PATCHes keep landing on a few. */
const MAX_USERS = 40;
const MAX_GROUPS = 6;

interface ScimUser {
  id: string;
  userName: string;
  externalId: string;
  givenName: string;
  familyName: string;
  formatted: string;
  displayName: string;
  department: string;
  active: boolean;
  version: number;
}

interface ScimGroup {
  id: string;
  externalId: string;
  displayName: string;
  members: Set<string>;
}

/**
 * One virtual client's SCIM connection, sending what Microsoft Entra ID sends: a filter by
 * userName before each create, POST /Users with the enterprise extension, PATCH with `Replace`
 * operations (booleans sometimes as the strings "True"/"False"), groups created without members
 * and then PATCHed with `Add`/`Remove` of `members` values, an occasional DELETE. It keeps the
 * exact state it has been acknowledged; its userNames and group names carry its own prefix.
 */
export class ScimDoor {
  private readonly users = new Map<string, ScimUser>();
  private readonly groups = new Map<string, ScimGroup>();
  private serial = 0;

  constructor(
    private readonly prefix: string,
    private readonly connection: Connection,
    private readonly secret: string,
    private readonly rng: Rng,
  ) {}

  async step(): Promise<void> {
    const users = [...this.users.values()];
    const groups = [...this.groups.values()];
    const r = this.rng.next();
    if (users.length < 3 || (r < 0.2 && users.length < MAX_USERS)) return this.createUser();
    if (r < 0.45) return this.patchUser(this.rng.pick(users));
    if (r < 0.55) return this.findUser(this.rng.pick(users));
    if (r < 0.59 && users.length > 5) return this.deleteUser(this.rng.pick(users));
    if (groups.length === 0 || (r < 0.65 && groups.length < MAX_GROUPS)) return this.createGroup();
    const group = this.rng.pick(groups);
    if (r < 0.8) return this.addMembers(group, users);
    if (r < 0.9 && group.members.size > 0) return this.removeMembers(group);
    if (r < 0.95) return this.renameGroup(group);
    if (r < 0.97 && groups.length > 2) return this.deleteGroup(group);
    return this.findGroup(group);
  }

  /** What this client's writes must have left in the tenant. */
  expected(): ExpectedTenant {
    const byId = new Map([...this.users.values()].map((user) => [user.id, user]));
    const users = [...this.users.values()].map((user): ExpectedUser => ({
      user_name: user.userName,
      external_id: user.externalId,
      given_name: user.givenName,
      middle_name: null,
      family_name: user.familyName,
      display_name: user.displayName,
      email: user.userName,
      emails: [{ value: user.userName, type: 'work', primary: true }],
      phone_number: null,
      active: user.active,
      role: null,
      metadata: null,
      attributes: { name: { formatted: user.formatted }, [URN_ENTERPRISE]: { department: user.department } },
      created_by: 'scim',
      changed_by: 'scim',
      version: user.version,
    }));
    const departments = [...this.groups.values()].map((group): ExpectedDepartment => ({
      external_id: group.externalId,
      name: group.displayName,
      parent_external_id: null,
      active: true,
      attributes: {},
    }));
    const memberships = [...this.groups.values()].flatMap((group) =>
      [...group.members].map((id): ExpectedMembership => ({
        user_name: byId.get(id)!.userName,
        department_external_id: group.externalId,
        user_type_id: '1',
      })),
    );
    return { users, departments, memberships };
  }

  private request(label: string, method: string, path: string, body?: unknown, status?: number): Promise<any> {
    return this.connection.expect(
      'scim',
      `scim.${label}`,
      {
        method,
        path: `/scim/v2${path}`,
        headers: {
          Authorization: `Bearer ${this.secret}`,
          Accept: 'application/scim+json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/scim+json; charset=utf-8' }),
        },
        body,
      },
      status,
    );
  }

  private async createUser(): Promise<void> {
    const n = ++this.serial;
    const userName = `${this.prefix}-s${n}@load.example`;
    // Entra ID looks the user up first, and creates it only when the filter finds nobody.
    const found = await this.request(
      'Users.filter',
      'GET',
      `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`,
    );
    this.check(found.totalResults === 0, `filter for new ${userName} found ${found.totalResults}`);
    const givenName = `Given${n}`;
    const familyName = `${this.prefix.toUpperCase()}-Family`;
    const user: Omit<ScimUser, 'id'> = {
      userName,
      externalId: `${this.prefix}-s${n}-entra`,
      givenName,
      familyName,
      formatted: `${givenName} ${familyName}`,
      displayName: `${givenName} ${familyName}`,
      department: this.rng.pick(['Sales', 'Engineering', 'Support']),
      active: true,
      version: 1,
    };
    const created = await this.request(
      'Users.create',
      'POST',
      '/Users',
      {
        schemas: [URN_USER, URN_ENTERPRISE],
        externalId: user.externalId,
        userName,
        active: true,
        displayName: user.displayName,
        emails: [{ primary: true, type: 'work', value: userName }],
        meta: { resourceType: 'User' },
        name: { formatted: user.formatted, familyName, givenName },
        [URN_ENTERPRISE]: { department: user.department },
      },
      201,
    );
    this.check(
      typeof created?.id === 'string' && created.userName === userName,
      `create ${userName} answered ${JSON.stringify(created)}`,
    );
    this.users.set(created.id, { ...user, id: created.id });
  }

  private async patchUser(user: ScimUser): Promise<void> {
    const operations: Record<string, unknown>[] = [];
    const next = { ...user };
    const n = ++this.serial;
    for (const field of this.rng.sample(['active', 'displayName', 'givenName'], this.rng.int(1, 3))) {
      if (field === 'active') {
        next.active = !user.active;
        // Entra ID sends booleans as "True"/"False" in PATCH; newer tenants send JSON booleans.
        const value = this.rng.chance(0.5) ? next.active : next.active ? 'True' : 'False';
        operations.push({ op: 'Replace', path: 'active', value });
      } else if (field === 'displayName') {
        next.displayName = `Display ${this.prefix} ${n}`;
        operations.push({ op: 'Replace', path: 'displayName', value: next.displayName });
      } else {
        next.givenName = `Given${n}`;
        next.formatted = `${next.givenName} ${user.familyName}`;
        operations.push({ op: 'Replace', path: 'name.givenName', value: next.givenName });
        operations.push({ op: 'Replace', path: 'name.formatted', value: next.formatted });
      }
    }
    await this.request(
      'Users.patch',
      'PATCH',
      `/Users/${user.id}`,
      { schemas: [URN_PATCH], Operations: operations },
      204,
    );
    next.version = user.version + 1;
    this.users.set(user.id, next);
  }

  private async findUser(user: ScimUser): Promise<void> {
    const filter = encodeURIComponent(`userName eq "${user.userName}"`);
    const found = await this.request('Users.filter', 'GET', `/Users?filter=${filter}`);
    const resource = found.Resources?.[0];
    this.check(
      found.schemas?.[0] === URN_LIST &&
        found.totalResults === 1 &&
        resource?.id === user.id &&
        resource.active === user.active &&
        resource.displayName === user.displayName &&
        resource.name?.givenName === user.givenName,
      `filter for ${user.userName} (active ${user.active}, ${user.displayName}) answered ${JSON.stringify(found)}`,
    );
  }

  private async deleteUser(user: ScimUser): Promise<void> {
    await this.request('Users.delete', 'DELETE', `/Users/${user.id}`, undefined, 204);
    this.users.delete(user.id);
    for (const group of this.groups.values()) group.members.delete(user.id);
  }

  private async createGroup(): Promise<void> {
    const n = ++this.serial;
    const displayName = `${this.prefix.toUpperCase()} Group ${n}`;
    const externalId = `${this.prefix}-g${n}-entra`;
    const created = await this.request(
      'Groups.create',
      'POST',
      '/Groups',
      { schemas: [URN_GROUP], externalId, displayName, meta: { resourceType: 'Group' } },
      201,
    );
    this.check(
      typeof created?.id === 'string' && created.displayName === displayName,
      `group create answered ${JSON.stringify(created)}`,
    );
    this.groups.set(created.id, { id: created.id, externalId, displayName, members: new Set() });
  }

  private async addMembers(group: ScimGroup, users: ScimUser[]): Promise<void> {
    // Adding a present member changes nothing: Entra ID repeats adds after a restart of its cycle.
    const added = this.rng.sample(users, this.rng.int(1, 3)).map((user) => user.id);
    await this.request(
      'Groups.patch',
      'PATCH',
      `/Groups/${group.id}`,
      { schemas: [URN_PATCH], Operations: [{ op: 'Add', path: 'members', value: added.map((value) => ({ value })) }] },
      204,
    );
    for (const id of added) group.members.add(id);
  }

  private async removeMembers(group: ScimGroup): Promise<void> {
    const removed = this.rng.sample([...group.members], this.rng.int(1, 2));
    await this.request(
      'Groups.patch',
      'PATCH',
      `/Groups/${group.id}`,
      {
        schemas: [URN_PATCH],
        Operations: [{ op: 'Remove', path: 'members', value: removed.map((value) => ({ value })) }],
      },
      204,
    );
    for (const id of removed) group.members.delete(id);
  }

  private async renameGroup(group: ScimGroup): Promise<void> {
    const displayName = `${this.prefix.toUpperCase()} Group renamed ${++this.serial}`;
    await this.request(
      'Groups.patch',
      'PATCH',
      `/Groups/${group.id}`,
      { schemas: [URN_PATCH], Operations: [{ op: 'Replace', path: 'displayName', value: displayName }] },
      204,
    );
    group.displayName = displayName;
  }

  private async deleteGroup(group: ScimGroup): Promise<void> {
    await this.request('Groups.delete', 'DELETE', `/Groups/${group.id}`, undefined, 204);
    this.groups.delete(group.id);
  }

  private async findGroup(group: ScimGroup): Promise<void> {
    const filter = encodeURIComponent(`displayName eq "${group.displayName}"`);
    const found = await this.request('Groups.filter', 'GET', `/Groups?excludedAttributes=members&filter=${filter}`);
    this.check(
      found.totalResults === 1 && found.Resources?.[0]?.id === group.id && found.Resources[0].members === undefined,
      `filter for group ${group.displayName} answered ${JSON.stringify(found)}`,
    );
  }

  private check(condition: boolean, what: string): void {
    if (!condition) throw new UnexpectedAnswer(`scim ${this.prefix}: ${what}`);
  }
}
