import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { TransactionRunner } from '../database/transaction-runner';
import { TenantEntity } from './entities/tenant.entity';
import { assertValid, checkIdentifier, TEXT_LIMITS } from './identifiers';
import { TenantChanges, TenantsRepository } from './tenants.repository';

export interface TenantView {
  id: string;
  name: string;
  orgCode: string | null;
  locale: string;
  timeZone: string;
  createdOn: string;
  updatedOn: string;
}

@Injectable()
export class TenantsService {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly transactions: TransactionRunner,
  ) {}

  async create(tenant: { id: string; name: string } & TenantChanges): Promise<TenantView> {
    assertLocaleAndZone(tenant);
    assertNames(tenant);
    return this.transactions.run(async (em) => {
      await this.assertOrgCodeFree(em, tenant.orgCode, tenant.id);
      if (!(await this.tenants.insert(em, tenant))) throw DomainError.duplicate(`Tenant '${tenant.id}' already exists`);
      return toView((await this.tenants.findById(em, tenant.id))!);
    });
  }

  /** Creates the tenant if it is missing (start-up bootstrap); true when it was created. */
  async ensure(em: EntityManager, id: string): Promise<boolean> {
    if (await this.tenants.findById(em, id)) return false;
    return this.tenants.insert(em, { id, name: id });
  }

  async setOrgCode(em: EntityManager, id: string, orgCode: string): Promise<void> {
    await this.assertOrgCodeFree(em, orgCode, id);
    await this.tenants.update(em, id, { orgCode });
  }

  async update(id: string, changes: TenantChanges): Promise<TenantView> {
    assertLocaleAndZone(changes);
    assertNames(changes);
    return this.transactions.run(async (em) => {
      await this.get(em, id);
      await this.assertOrgCodeFree(em, changes.orgCode, id);
      await this.tenants.update(em, id, changes);
      return toView(await this.get(em, id));
    });
  }

  async find(id: string): Promise<TenantView> {
    return toView(await this.get(this.transactions.manager, id));
  }

  async list(): Promise<TenantView[]> {
    return (await this.tenants.list(this.transactions.manager)).map(toView);
  }

  findByOrgCode(orgCode: string): Promise<TenantEntity | null> {
    return this.tenants.findByOrgCode(this.transactions.manager, orgCode);
  }

  private async get(em: EntityManager, id: string): Promise<TenantEntity> {
    const tenant = await this.tenants.findById(em, id);
    if (!tenant) throw DomainError.notFound(`Tenant '${id}' not found`);
    return tenant;
  }

  private async assertOrgCodeFree(
    em: EntityManager,
    orgCode: string | null | undefined,
    tenantId: string,
  ): Promise<void> {
    if (!orgCode) return;
    const holder = await this.tenants.findByOrgCode(em, orgCode);
    if (holder && holder.id !== tenantId)
      throw DomainError.duplicate(`Org code '${orgCode}' belongs to another tenant`);
  }
}

/** Names an operator reads in listings and a partner's token carries: identifiers, sized to their columns. */
function assertNames(changes: { name?: string; orgCode?: string | null }): void {
  assertValid(
    checkIdentifier('name', changes.name, TEXT_LIMITS.tenantName, 'tenant.name'),
    checkIdentifier('orgCode', changes.orgCode, TEXT_LIMITS.orgCode, 'tenant.orgCode'),
  );
}

/** A locale and time zone the runtime knows, so date presets can be computed in them. */
export function assertLocaleAndZone(changes: TenantChanges): void {
  if (changes.locale !== undefined) {
    try {
      if (Intl.getCanonicalLocales(changes.locale).length !== 1) throw new RangeError();
    } catch {
      throw DomainError.validation(`Unknown locale '${changes.locale}'`, {
        path: 'locale',
        field: 'locale',
        message: `Unknown locale '${changes.locale}' (expected a BCP 47 tag such as en-GB)`,
      });
    }
  }
  if (changes.timeZone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: changes.timeZone });
    } catch {
      throw DomainError.validation(`Unknown time zone '${changes.timeZone}'`, {
        path: 'timeZone',
        field: 'timeZone',
        message: `Unknown time zone '${changes.timeZone}' (expected an IANA name such as Europe/London)`,
      });
    }
  }
}

function toView(tenant: TenantEntity): TenantView {
  return {
    id: tenant.id,
    name: tenant.name,
    orgCode: tenant.orgCode,
    locale: tenant.locale,
    timeZone: tenant.timeZone,
    createdOn: tenant.createdOn.toISOString(),
    updatedOn: tenant.updatedOn.toISOString(),
  };
}
