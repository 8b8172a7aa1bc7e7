import { DomainError } from '../../common/domain-error';
import { Injectable } from '@nestjs/common';
import { ScimDocument, URN_PATCH_OP } from '../schemas';
import { ScimGroupsService } from '../scim-groups.service';
import { Projection } from '../scim-projection';
import type { ScimContext } from '../scim-resources.base';
import { ScimUsersService } from '../scim-users.service';
import { ScimError } from '../scim.errors';
import { bulkError } from './bulk-errors';
import { BulkOperation, BulkRequest, URN_BULK_RESPONSE } from './bulk-request';
import { resolveReferences, splitReferences } from './bulk-references';
import { BulkPlan, planBulk } from './bulk-plan';

/** One operation's answer in the BulkResponse (RFC 7644 §3.7.3). */
export interface BulkOperationResult {
  method: string;
  bulkId?: string;
  location?: string;
  version?: string;
  status: string;
  response?: Record<string, unknown>;
}

export interface BulkResponse {
  schemas: string[];
  Operations: BulkOperationResult[];
}

type Json = Record<string, unknown>;

/** What a PATCH answer needs to carry here (location, version): no members or groups are read for it. */
const ONLY_META = new Projection(['meta']);

const metaOf = (document: ScimDocument) => (document.meta ?? {}) as { location?: string; version?: string };

/**
 * Runs a BulkRequest: every operation through ScimUsersService / ScimGroupsService, so each one
 * meets the rules the same request alone would (uniqueness, secrets dropped, bounds, ETags).
 * An operation that refers to a bulkId waits until that POST has run; POSTs that refer to each
 * other in a cycle are created without those references, which are then added by a PATCH.
 */
@Injectable()
export class ScimBulkService {
  constructor(
    private readonly users: ScimUsersService,
    private readonly groups: ScimGroupsService,
  ) {}

  async run(context: ScimContext, request: BulkRequest): Promise<BulkResponse> {
    const run = new BulkRun(context, request, planBulk(request.operations), this.users, this.groups);
    await run.execute();
    return { schemas: [URN_BULK_RESPONSE], Operations: run.answers() };
  }
}

/** The state of one bulk while it runs. */
class BulkRun {
  /** bulkId → id of the resource its POST created. */
  private readonly ids = new Map<string, string>();
  /** bulkIds whose POST failed (or was undone because a reference of its cycle failed). */
  private readonly failed = new Set<string>();
  private readonly results = new Map<number, BulkOperationResult>();
  /** Created POSTs of a cycle whose references to the cycle still wait: index → what to add. */
  private readonly deferred = new Map<number, Json>();
  /** Cycles (by their first POST's index) whose references have all been added or undone. */
  private readonly completedCycles = new Set<number>();
  private errors = 0;
  private stopped = false;

  constructor(
    private readonly context: ScimContext,
    private readonly request: BulkRequest,
    private readonly plan: BulkPlan,
    private readonly users: ScimUsersService,
    private readonly groups: ScimGroupsService,
  ) {}

  answers(): BulkOperationResult[] {
    return [...this.results.entries()].sort(([a], [b]) => a - b).map(([, result]) => result);
  }

  /**
   * Operations in request order; one that waits for a POST not yet run is set aside and runs as
   * soon as every POST it refers to has run (or failed).
   */
  async execute(): Promise<void> {
    const waiting: BulkOperation[] = [];
    const operations = this.request.operations;
    let next = 0;
    while (!this.stopped && (next < operations.length || waiting.some((op) => this.ready(op)))) {
      const readyIndex = waiting.findIndex((op) => this.ready(op));
      if (readyIndex >= 0) {
        await this.runFrom([waiting.splice(readyIndex, 1)[0]]);
        continue;
      }
      const operation = operations[next++];
      if (!this.ready(operation)) {
        waiting.push(operation);
        continue;
      }
      // Consecutive user POSTs ready to run go through one createMany.
      const batch = [operation];
      if (this.isPlainUserPost(operation)) {
        while (next < operations.length && this.isPlainUserPost(operations[next]) && this.ready(operations[next])) {
          batch.push(operations[next++]);
        }
      }
      await this.runFrom(batch);
    }
  }

  private ready(operation: BulkOperation): boolean {
    if (operation.invalid) return true;
    return this.plan.waitsFor(operation).every((bulkId) => this.settled(bulkId));
  }

  /** A bulkId's POST has failed, or has created its resource, and whole when it is in a cycle. */
  private settled(bulkId: string): boolean {
    if (this.failed.has(bulkId)) return true;
    if (!this.ids.has(bulkId)) return false;
    const cycle = this.plan.cycleOf(bulkId);
    return cycle === undefined || this.completedCycles.has(cycle[0].index);
  }

  private isPlainUserPost(operation: BulkOperation): boolean {
    return (
      !operation.invalid &&
      operation.method === 'POST' &&
      operation.target?.resource === 'Users' &&
      this.plan.cyclicFor(operation).length === 0
    );
  }

  private async runFrom(batch: BulkOperation[]): Promise<void> {
    if (batch.length > 1) await this.createUsers(batch);
    else await this.runOne(batch[0]);
    await this.completeCycles();
  }

  private async runOne(operation: BulkOperation): Promise<void> {
    if (operation.invalid) return this.fail(operation, operation.invalid);
    const refusal = this.referenceRefusal(operation, [
      ...this.plan.waitsFor(operation),
      ...this.plan.cyclicFor(operation),
    ]);
    if (refusal) return this.fail(operation, refusal);
    const target = operation.target!;
    const service = target.resource === 'Users' ? this.users : this.groups;
    const id = target.id ?? (target.bulkRef !== undefined ? this.ids.get(target.bulkRef) : undefined);
    try {
      switch (operation.method) {
        case 'POST': {
          const later = new Set(this.plan.cyclicFor(operation).filter((bulkId) => !this.ids.has(bulkId)));
          const { now, deferred } = splitReferences(operation.data as Json, later);
          const document = await service.create(this.context, resolveReferences(now, this.ids));
          this.created(operation, document);
          if (deferred) this.deferred.set(operation.index, deferred);
          return;
        }
        case 'PUT': {
          const data = resolveReferences(operation.data, this.ids);
          return this.succeeded(operation, 200, await service.replace(this.context, id!, data, operation.version));
        }
        case 'PATCH': {
          const data = resolveReferences(operation.data, this.ids);
          const document = await service.patch(this.context, id!, data, ONLY_META, operation.version);
          return this.succeeded(operation, 200, document!);
        }
        case 'DELETE':
          await service.delete(this.context, id!, operation.version);
          this.results.set(operation.index, {
            method: operation.method,
            ...(operation.bulkId !== undefined ? { bulkId: operation.bulkId } : {}),
            location: `${this.context.base}/${target.resource}/${id!}`,
            status: '204',
          });
          return;
      }
    } catch (error) {
      this.fail(operation, error);
    }
  }

  /**
   * User POSTs through one createMany. With failOnErrors, a batch holds at most as many
   * operations as failures may still occur, so that when the last allowed failure happens it is
   * the batch's last operation and nothing past it has been created.
   */
  private async createUsers(batch: BulkOperation[]): Promise<void> {
    const limit = this.request.failOnErrors;
    for (let start = 0; start < batch.length && !this.stopped;) {
      const size = limit === undefined ? batch.length : Math.max(1, limit - this.errors);
      const chunk = batch.slice(start, start + size);
      start += chunk.length;
      const bodies = chunk.map((operation) => resolveReferences(operation.data, this.ids));
      const documents = await this.users.createMany(this.context, bodies);
      chunk.forEach((operation, i) => {
        const result = documents[i];
        if (result instanceof Error) this.fail(operation, result);
        else this.created(operation, result);
      });
    }
  }

  /**
   * Once every POST of a cycle has run, the references set aside are added (PATCH `add` without a
   * path). A cycle is kept whole or not at all: a POST of it that fails, or whose references
   * cannot be added (a group cannot contain a group that contains it: groups are departments, a
   * tree), is undone, and so is every POST of the cycle that refers to it (409), so that the bulk
   * never leaves behind a resource that lacks what the client sent.
   */
  private async completeCycles(): Promise<void> {
    for (const operation of this.request.operations) {
      const cycle = operation.bulkId === undefined ? undefined : this.plan.cycleOf(operation.bulkId);
      if (!cycle || cycle[0] !== operation || this.completedCycles.has(operation.index)) continue;
      if (!cycle.every((post) => this.results.has(post.index))) continue;
      this.completedCycles.add(operation.index);
      await this.completeCycle(cycle);
    }
  }

  private async completeCycle(cycle: readonly BulkOperation[]): Promise<void> {
    for (;;) {
      const orphan = cycle.find(
        (post) => this.ids.has(post.bulkId!) && this.referenceRefusal(post, this.plan.cyclicFor(post)),
      );
      if (orphan) {
        await this.undo(orphan, this.referenceRefusal(orphan, this.plan.cyclicFor(orphan)));
        continue;
      }
      const pending = cycle.find((post) => this.deferred.has(post.index));
      if (!pending) return;
      const data = this.deferred.get(pending.index)!;
      this.deferred.delete(pending.index);
      const service = pending.target!.resource === 'Users' ? this.users : this.groups;
      try {
        const patch = {
          schemas: [URN_PATCH_OP],
          Operations: [{ op: 'add', value: resolveReferences(data, this.ids) }],
        };
        const document = await service.patch(this.context, this.ids.get(pending.bulkId!)!, patch, ONLY_META);
        this.created(pending, document!);
      } catch (error) {
        await this.undo(pending, circularConflict(error));
      }
    }
  }

  /** Deletes what a POST of a cycle created, and fails it with `error`. */
  private async undo(post: BulkOperation, error: unknown): Promise<void> {
    const service = post.target!.resource === 'Users' ? this.users : this.groups;
    const id = this.ids.get(post.bulkId!)!;
    this.ids.delete(post.bulkId!);
    this.deferred.delete(post.index);
    try {
      await service.delete(this.context, id);
    } catch (failure) {
      // Deleted meanwhile by someone else: nothing is left behind either way.
      if (!(failure instanceof ScimError && failure.status === 404)) throw failure;
    }
    this.fail(post, error);
  }

  /** 409 when a referenced POST failed (RFC 7644 §3.7.2 leaves this to the provider). */
  private referenceRefusal(operation: BulkOperation, references: readonly string[]): ScimError | undefined {
    const failed = references.find((bulkId) => this.failed.has(bulkId));
    if (failed === undefined) return undefined;
    return new ScimError(
      409,
      undefined,
      `The operation refers to bulkId '${failed}', whose operation failed, so it was not ${operation.method === 'POST' ? 'kept' : 'run'}`,
    );
  }

  private created(operation: BulkOperation, document: ScimDocument): void {
    if (operation.bulkId !== undefined) this.ids.set(operation.bulkId, String(document.id));
    this.succeeded(operation, 201, document);
  }

  private succeeded(operation: BulkOperation, status: number, document: ScimDocument): void {
    const { location, version } = metaOf(document);
    this.results.set(operation.index, {
      method: operation.method,
      ...(operation.bulkId !== undefined ? { bulkId: operation.bulkId } : {}),
      ...(location ? { location } : {}),
      ...(version ? { version } : {}),
      status: String(status),
    });
  }

  private fail(operation: BulkOperation, error: unknown): void {
    const { status, response } = bulkError(error);
    if (operation.method === 'POST' && operation.bulkId !== undefined) this.failed.add(operation.bulkId);
    this.results.set(operation.index, {
      method: operation.method,
      ...(operation.bulkId !== undefined ? { bulkId: operation.bulkId } : {}),
      status: String(status),
      response,
    });
    this.errors += 1;
    if (this.request.failOnErrors !== undefined && this.errors >= this.request.failOnErrors) this.stopped = true;
  }
}

/**
 * RFC 7644 §3.7.1 lets a provider that cannot resolve a circular reference answer 409. Here a
 * group member that is a group is a child department, and departments form a tree: two groups
 * cannot contain each other, so such a cycle is that 409, saying why.
 */
function circularConflict(error: unknown): unknown {
  const cyclic =
    error instanceof DomainError && error.details.some((detail) => detail.key === 'directory.group.members.cycle');
  if (!cyclic) return error;
  return new ScimError(
    409,
    undefined,
    `${error.message}: a group's group members are its child departments, and departments form a tree, so groups cannot contain each other`,
  );
}
