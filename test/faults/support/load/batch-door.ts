import { pause } from '../fleet';
import type {
  CommittedTransaction,
  ExpectedDepartment,
  ExpectedMembership,
  ExpectedTenant,
  ExpectedUser,
} from './end-state';
import type { Rng } from './rng';
import { Connection, UnexpectedAnswer } from './traffic';

const IAM = '/api/provisioning/iam';
const MAX_USERS = 40;
const POLL_MS = 200;

interface Department {
  name: string;
  parent: string | null;
  active: boolean;
}

interface Email {
  value: string;
  type: string;
  primary: boolean;
}

interface BatchUser {
  email: string;
  userName: string;
  emails: Email[];
  firstName: string;
  lastName: string;
  phoneNumber: string | null;
  active: boolean;
  version: number;
  /** `departmentExternalId|userTypeId`. */
  assignments: Set<string>;
}

interface Directory {
  departments: Map<string, Department>;
  users: Map<string, BatchUser>;
}

interface Plan {
  departments: Record<string, unknown>[];
  users: Record<string, unknown>[];
  /** The directory once the transaction is applied. */
  after: Directory;
}

const clone = (directory: Directory): Directory => ({
  departments: new Map([...directory.departments].map(([id, d]) => [id, { ...d }])),
  users: new Map(
    [...directory.users].map(([id, u]) => [
      id,
      { ...u, emails: u.emails.map((e) => ({ ...e })), assignments: new Set(u.assignments) },
    ]),
  ),
});

/**
 * One virtual client's provisioning-transaction integration: checkpoint, queue a handful of
 * department and user items (through every route variant), commit, poll the job until DONE. Its
 * departments and users carry its own prefix. Each transaction touches an entity at most once, and
 * a transaction that moves, cascades or deletes a department holds no other department item, so
 * the result does not hang on the order the job applies them in (departments before users,
 * parents before children, deletes after upserts: the contract's order, whatever the queue order).
 */
export class BatchDoor {
  private directory: Directory = { departments: new Map(), users: new Map() };
  readonly committed: CommittedTransaction[] = [];
  private serial = 0;

  constructor(
    private readonly prefix: string,
    private readonly connection: Connection,
    private readonly headers: Record<string, string>,
    private readonly rng: Rng,
  ) {}

  async step(deadline: number): Promise<void> {
    const plan = this.plan();
    const checkpoint = await this.call('checkpoint', 'POST', `${IAM}/checkpoint`);
    const tx = checkpoint.transactionId as string;
    if (plan.departments.length > 0) {
      const path = this.rng.pick([`/${tx}/department`, `/department/sync/${tx}`, `/department?transactionId=${tx}`]);
      await this.queue(path, plan.departments);
    }
    // Users sometimes in two requests: the order ids run on across requests of one transaction.
    const split =
      plan.users.length > 2 && this.rng.chance(0.5) ? this.rng.int(1, plan.users.length - 1) : plan.users.length;
    for (const part of [plan.users.slice(0, split), plan.users.slice(split)].filter((p) => p.length > 0)) {
      await this.queue(this.rng.pick([`/${tx}/user`, `/user/sync/${tx}`, `/user?transactionId=${tx}`]), part);
    }
    const commitPath = this.rng.pick([`/${tx}/commit`, `/transaction/${tx}/commit`, `/commit?transactionId=${tx}`]);
    const commit = await this.call('commit', 'POST', `${IAM}${commitPath}`, undefined, 202);
    const jobId = commit.jobId as string;
    const operations = plan.departments.length + plan.users.length;
    this.check(typeof jobId === 'string', `commit of ${tx} answered ${JSON.stringify(commit)}`);
    // Acknowledged: the job will apply it; the end state is checked once every job has ended.
    this.directory = plan.after;
    this.committed.push({ transactionId: tx, jobId, operations });
    await this.waitForJob(tx, jobId, operations, deadline);
  }

  expected(): ExpectedTenant {
    const users = [...this.directory.users].map(([externalId, user]): ExpectedUser => ({
      user_name: user.userName,
      external_id: externalId,
      given_name: user.firstName,
      middle_name: null,
      family_name: user.lastName,
      display_name: null,
      email: user.email,
      emails: user.emails,
      phone_number: user.phoneNumber,
      active: user.active,
      role: null,
      metadata: null,
      attributes: {},
      created_by: 'batch',
      changed_by: 'batch',
      version: user.version,
    }));
    const departments = [...this.directory.departments].map(([externalId, department]): ExpectedDepartment => ({
      external_id: externalId,
      name: department.name,
      parent_external_id: department.parent,
      active: department.active,
      attributes: {},
    }));
    const memberships = [...this.directory.users.values()].flatMap((user) =>
      [...user.assignments].map((key): ExpectedMembership => {
        const [department, userType] = key.split('|');
        return { user_name: user.userName, department_external_id: department, user_type_id: userType };
      }),
    );
    return { users, departments, memberships };
  }

  /** Polls the job (now and then the transaction status) until it ends, or the load's time is up. */
  private async waitForJob(tx: string, jobId: string, operations: number, deadline: number): Promise<void> {
    for (;;) {
      if (Date.now() >= deadline) return;
      await pause(POLL_MS);
      if (this.rng.chance(0.8)) {
        const job = await this.call('job', 'GET', `/api/user/job/${jobId}`);
        const status = job.value?.status as string;
        if (status === 'DONE') break;
        this.check(
          ['NOT_STARTED', 'STARTED'].includes(status),
          `job ${jobId} of ${tx} is ${status}: ${JSON.stringify(job)}`,
        );
      } else {
        const state = await this.call('status', 'GET', `${IAM}/transaction/${tx}/status`);
        if (state.transactionStatus === 'COMPLETED') break;
        this.check(
          ['COMMITTED', 'PROCESSING'].includes(state.transactionStatus),
          `transaction ${tx} is ${state.transactionStatus}: ${JSON.stringify(state)}`,
        );
      }
    }
    const state = await this.call('status', 'GET', `${IAM}/transaction/${tx}/status`);
    this.check(
      state.transactionStatus === 'COMPLETED' &&
        state.totalOperations === operations &&
        state.completedOperations === operations &&
        state.failedOperations === 0,
      `transaction ${tx} ended ${JSON.stringify(state)}`,
    );
  }

  private async queue(path: string, items: Record<string, unknown>[]): Promise<void> {
    const answer = await this.call('queue', 'POST', `${IAM}${path}`, items);
    this.check(
      answer.operationsQueued === items.length && answer.operations.every((op: { status: boolean }) => op.status),
      `queue ${JSON.stringify(items)} answered ${JSON.stringify(answer)}`,
    );
  }

  private call(label: string, method: string, path: string, body?: unknown, status?: number): Promise<any> {
    return this.connection.expect('batch', `batch.${label}`, { method, path, headers: this.headers, body }, status);
  }

  private check(condition: boolean, what: string): void {
    if (!condition) throw new UnexpectedAnswer(`batch ${this.prefix}: ${what}`);
  }

  private plan(): Plan {
    const after = clone(this.directory);
    const departments = this.rng.shuffle(this.planDepartments(after));
    const users = this.planUsers(after);
    return { departments, users, after };
  }

  private planDepartments(after: Directory): Record<string, unknown>[] {
    const existing = [...after.departments.keys()];
    if (existing.length >= 3 && this.rng.chance(0.2)) return [this.structural(after, this.rng.pick(existing))];
    const items: Record<string, unknown>[] = [];
    const touched = new Set<string>();
    const count = existing.length < 2 ? 2 : this.rng.int(0, 3);
    for (let i = 0; i < count; i++) {
      const untouched = existing.filter((id) => !touched.has(id));
      if (untouched.length === 0 || this.rng.chance(0.55)) {
        const externalId = `${this.prefix}-d${++this.serial}`;
        // The parent may be one this transaction creates, queued before or after its child.
        const parent =
          after.departments.size === 0 || this.rng.chance(0.35) ? null : this.rng.pick([...after.departments.keys()]);
        const name = `Dept ${this.prefix} ${this.serial}`;
        items.push({
          externalId,
          departmentName: name,
          active: true,
          // An absent parentExternalId makes a new department a root, as null does.
          ...(parent !== null || this.rng.chance(0.5) ? { parentExternalId: parent } : {}),
        });
        after.departments.set(externalId, { name, parent, active: true });
        touched.add(externalId);
        continue;
      }
      const id = this.rng.pick(untouched);
      touched.add(id);
      const department = after.departments.get(id)!;
      const item: Record<string, unknown> = { externalId: id };
      if (this.rng.chance(0.6)) {
        department.name = `Dept ${this.prefix} ${++this.serial} renamed`;
        item.departmentName = department.name;
      }
      if (this.rng.chance(0.5)) {
        department.active = !department.active;
        item.active = department.active;
        item.cascadeToChildren = false;
      }
      items.push(item);
    }
    return items;
  }

  /** A move, a cascade of `active` over a subtree, or a delete: alone among the departments. */
  private structural(after: Directory, id: string): Record<string, unknown> {
    const department = after.departments.get(id)!;
    const subtree = this.subtree(after, id);
    const r = this.rng.next();
    if (r < 0.4) {
      const parent = this.rng.pick([null, ...[...after.departments.keys()].filter((other) => !subtree.has(other))]);
      department.parent = parent;
      return { externalId: id, parentExternalId: parent };
    }
    if (r < 0.75) {
      const active = !department.active;
      for (const member of subtree) after.departments.get(member)!.active = active;
      return { externalId: id, active, cascadeToChildren: true };
    }
    // Children of a deleted department become roots; its assignments go with it.
    after.departments.delete(id);
    for (const other of after.departments.values()) if (other.parent === id) other.parent = null;
    for (const user of after.users.values()) {
      for (const key of [...user.assignments]) if (key.startsWith(`${id}|`)) user.assignments.delete(key);
    }
    return { externalId: id, action: 'DELETE' };
  }

  /** `id` and every department below it. */
  private subtree(directory: Directory, id: string): Set<string> {
    const members = new Set([id]);
    for (let grew = true; grew;) {
      grew = false;
      for (const [other, department] of directory.departments) {
        if (department.parent !== null && members.has(department.parent) && !members.has(other)) {
          members.add(other);
          grew = true;
        }
      }
    }
    return members;
  }

  private planUsers(after: Directory): Record<string, unknown>[] {
    const items: Record<string, unknown>[] = [];
    const touched = new Set<string>();
    const count = this.rng.int(1, 5);
    for (let i = 0; i < count; i++) {
      const untouched = [...after.users.keys()].filter((id) => !touched.has(id));
      if (untouched.length === 0 || (after.users.size < MAX_USERS && this.rng.chance(0.35))) {
        const externalId = `${this.prefix}-u${++this.serial}`;
        const email = `${externalId}@batch.example`;
        const user: BatchUser = {
          email,
          userName: email,
          emails: [{ value: email, type: 'work', primary: true }],
          firstName: `First${this.serial}`,
          lastName: `${this.prefix.toUpperCase()}-Last`,
          phoneNumber: this.rng.chance(0.5) ? `+44 20 7946 ${String(this.serial).padStart(4, '0')}` : null,
          active: true,
          version: 1,
          assignments: new Set(),
        };
        const item: Record<string, unknown> = {
          externalId,
          email,
          firstName: user.firstName,
          lastName: user.lastName,
          ...(user.phoneNumber !== null ? { phoneNumber: user.phoneNumber } : {}),
          ...(this.rng.chance(0.5) ? { active: true } : {}),
        };
        if (after.departments.size > 0 && this.rng.chance(0.6)) item.userTypes = this.assign(after, user);
        after.users.set(externalId, user);
        touched.add(externalId);
        items.push(item);
        continue;
      }
      const externalId = this.rng.pick(untouched);
      touched.add(externalId);
      if (after.users.size > 5 && this.rng.chance(0.1)) {
        after.users.delete(externalId);
        items.push({ externalId, action: 'DELETE' });
        continue;
      }
      const user = after.users.get(externalId)!;
      const item: Record<string, unknown> = { externalId };
      user.version++;
      if (this.rng.chance(0.4)) {
        user.firstName = `First${++this.serial}`;
        item.firstName = user.firstName;
      }
      if (this.rng.chance(0.2)) {
        user.lastName = `${this.prefix.toUpperCase()}-Last${++this.serial}`;
        item.lastName = user.lastName;
      }
      if (this.rng.chance(0.3)) {
        user.active = !user.active;
        item.active = user.active;
      }
      if (this.rng.chance(0.15)) {
        user.phoneNumber = this.rng.chance(0.3) ? null : `+44 161 496 ${String(++this.serial).padStart(4, '0')}`;
        item.phoneNumber = user.phoneNumber;
      }
      if (this.rng.chance(0.1)) {
        // A new email is the new userName; the old address stays among `emails`, not primary.
        const email = `${externalId}.v${++this.serial}@batch.example`;
        user.emails = [
          { value: email, type: 'work', primary: true },
          ...user.emails.filter((e) => e.value.toLowerCase() !== email).map((e) => ({ ...e, primary: false })),
        ];
        user.email = email;
        user.userName = email;
        item.email = email;
      }
      if (this.rng.chance(0.4)) item.userTypes = this.assign(after, user);
      items.push(item);
    }
    return items;
  }

  /** A new set of assignments (possibly none) that replaces the user's. */
  private assign(after: Directory, user: BatchUser): { departmentExternalId: string; userTypeId: string }[] {
    const departments = this.rng.sample([...after.departments.keys()], this.rng.int(0, 2));
    const wanted = departments.map((id) => ({ departmentExternalId: id, userTypeId: this.rng.pick(['1', '2']) }));
    user.assignments = new Set(wanted.map((a) => `${a.departmentExternalId}|${a.userTypeId}`));
    return wanted;
  }
}
