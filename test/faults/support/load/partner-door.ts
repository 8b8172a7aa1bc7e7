import * as jwt from 'jsonwebtoken';
import type { ExpectedTenant, ExpectedUser } from './end-state';
import type { Rng } from './rng';
import { Connection, UnexpectedAnswer } from './traffic';

const MAX_USERS = 40;

interface PartnerUser {
  /** The first email: the userName it was created with, never changed by partner sync. */
  userName: string;
  /** The email as last sent (updates send it in another case: matched ignoring case, stored as sent). */
  email: string;
  firstName: string;
  lastName: string;
  role: string;
  active: boolean;
  metadata: Record<string, unknown> | null;
  version: number;
}

/**
 * One virtual client's partner (seed 002's Wrapper) posting POST /api/admin/users/sync with a
 * freshly signed JWT: batches of new users and updates of its earlier ones (email in another case,
 * empty names and role that keep what is stored, isActive toggles, metadata merged shallowly).
 * `full-reconcile` is only for a client alone in its tenant: it deactivates every partner user the
 * list leaves out, so a second client there would make the end state depend on timing.
 */
export class PartnerDoor {
  private readonly users = new Map<string, PartnerUser>();
  private serial = 0;

  constructor(
    private readonly prefix: string,
    private readonly connection: Connection,
    private readonly partner: { secret: string; orgCode: string },
    private readonly mode: 'upsert' | 'full-reconcile',
    private readonly rng: Rng,
  ) {}

  async step(): Promise<void> {
    const items: Record<string, unknown>[] = [];
    let created = 0;
    const existing = this.rng.shuffle([...this.users.keys()]);
    const listed =
      this.mode === 'full-reconcile'
        ? existing.filter(() => this.rng.chance(0.85))
        : existing.slice(0, this.rng.int(0, 5));
    for (const externalId of listed) items.push(this.update(externalId));
    const fresh = this.users.size >= MAX_USERS ? 0 : this.rng.int(items.length === 0 ? 1 : 0, 3);
    for (let i = 0; i < fresh; i++, created++) items.push(this.create());
    // A request always names someone: an empty `users` is refused (400).
    if (items.length === 0) items.push(this.update(existing[0]));
    let deactivated = 0;
    if (this.mode === 'full-reconcile') {
      const named = new Set(items.map((item) => item.externalId as string));
      for (const [externalId, user] of this.users) {
        if (named.has(externalId) || !user.active) continue;
        user.active = false;
        user.version++;
        deactivated++;
      }
    }
    const token = jwt.sign({ orgCode: this.partner.orgCode }, this.partner.secret, {
      algorithm: 'HS256',
      expiresIn: 300,
    });
    const answer = await this.connection.expect(
      'partner',
      `partner.${this.mode}`,
      {
        method: 'POST',
        path: '/api/admin/users/sync',
        headers: { Authorization: `Bearer ${token}` },
        body: { mode: this.mode, users: this.rng.shuffle(items) },
      },
      200,
    );
    const summary = answer?.data?.summary;
    this.check(
      answer?.success === true &&
        summary?.total === items.length &&
        summary.created === created &&
        summary.updated === items.length - created &&
        summary.failed === 0 &&
        (this.mode === 'upsert' || answer.data.deactivated?.length === deactivated),
      `sync of ${items.length} users (${created} new, ${deactivated} to deactivate) answered ${JSON.stringify(answer)}`,
    );
  }

  expected(): ExpectedTenant {
    const users = [...this.users].map(([externalId, user]): ExpectedUser => ({
      user_name: user.userName,
      external_id: externalId,
      given_name: user.firstName,
      middle_name: null,
      family_name: user.lastName,
      display_name: null,
      email: user.email,
      emails: [{ value: user.email, type: 'work', primary: true }],
      phone_number: null,
      active: user.active,
      role: user.role,
      metadata: user.metadata,
      attributes: {},
      created_by: 'partner',
      changed_by: 'partner',
      version: user.version,
    }));
    return { users, departments: [], memberships: [] };
  }

  private create(): Record<string, unknown> {
    const n = ++this.serial;
    const externalId = `${this.prefix}-p${n}`;
    const email = `${externalId}@partner.example`;
    const role = this.rng.pick([undefined, 'user', 'admin']);
    const metadata = this.rng.chance(0.5) ? { department: 'Engineering', permissions: ['read'] } : undefined;
    const active = this.rng.pick([undefined, true]);
    this.users.set(externalId, {
      userName: email,
      email,
      firstName: `Partner${n}`,
      lastName: `${this.prefix.toUpperCase()}-Crm`,
      role: role ?? 'user',
      active: true,
      metadata: metadata ?? null,
      version: 1,
    });
    return {
      externalId,
      email,
      firstName: `Partner${n}`,
      lastName: `${this.prefix.toUpperCase()}-Crm`,
      ...(role === undefined ? {} : { role }),
      ...(active === undefined ? {} : { isActive: active }),
      orgCode: this.partner.orgCode,
      ...(metadata === undefined ? {} : { metadata }),
    };
  }

  private update(externalId: string): Record<string, unknown> {
    const user = this.users.get(externalId)!;
    const n = ++this.serial;
    user.version++;
    // Matched by email ignoring case; the address is then stored as this request spells it.
    user.email = this.rng.chance(0.5) ? user.userName.toUpperCase() : user.userName;
    const item: Record<string, unknown> = { externalId, email: user.email, orgCode: this.partner.orgCode };
    if (this.rng.chance(0.4)) {
      user.firstName = `Partner${n}`;
      item.firstName = user.firstName;
    } else if (this.rng.chance(0.3)) {
      item.firstName = ''; // seed 002: `user.firstName || crmUser.firstName`
    }
    if (this.rng.chance(0.3)) {
      user.role = this.rng.pick(['user', 'admin', 'viewer']);
      item.role = user.role;
    } else if (this.rng.chance(0.2)) {
      item.role = '';
    }
    if (this.rng.chance(0.3)) {
      user.active = !user.active;
      item.isActive = user.active;
    } else if (!user.active && this.mode === 'full-reconcile' && this.rng.chance(0.5)) {
      user.active = true;
      item.isActive = true;
    }
    if (this.rng.chance(0.3)) {
      const metadata = this.rng.chance(0.5) ? { level: n } : { permissions: ['read', 'write'], team: `T${n % 4}` };
      user.metadata = { ...user.metadata, ...metadata };
      item.metadata = metadata;
    }
    return item;
  }

  private check(condition: boolean, what: string): void {
    if (!condition) throw new UnexpectedAnswer(`partner ${this.prefix}: ${what}`);
  }
}
