import { Injectable } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { TransactionRunner } from '../database/transaction-runner';
import { UserTypeEntity } from './entities/user-type.entity';
import { assertValid, checkIdentifier, TEXT_LIMITS } from './identifiers';
import { TenantsRepository } from './tenants.repository';
import { UserTypesRepository } from './user-types.repository';

export interface UserTypeView {
  id: string;
  name: string;
  createdOn: string;
  updatedOn: string;
}

/** User types are per tenant; "1" (Member) exists in every tenant. */
@Injectable()
export class UserTypesService {
  constructor(
    private readonly userTypes: UserTypesRepository,
    private readonly tenants: TenantsRepository,
    private readonly transactions: TransactionRunner,
  ) {}

  async list(tenantId: string): Promise<UserTypeView[]> {
    await this.assertTenant(tenantId);
    return (await this.userTypes.list(this.transactions.manager, tenantId)).map(toView);
  }

  async create(tenantId: string, id: string, name: string): Promise<UserTypeView> {
    assertName(name);
    await this.assertTenant(tenantId);
    return this.transactions.run(async (em) => {
      if (!(await this.userTypes.insert(em, tenantId, id, name))) {
        throw DomainError.duplicate(`User type '${id}' already exists in tenant '${tenantId}'`);
      }
      return toView((await this.userTypes.find(em, tenantId, id))!);
    });
  }

  async rename(tenantId: string, id: string, name: string): Promise<UserTypeView> {
    assertName(name);
    await this.assertTenant(tenantId);
    return this.transactions.run(async (em) => {
      if (!(await this.userTypes.rename(em, tenantId, id, name)))
        throw DomainError.notFound(`User type '${id}' not found`);
      return toView((await this.userTypes.find(em, tenantId, id))!);
    });
  }

  private async assertTenant(tenantId: string): Promise<void> {
    if (!(await this.tenants.findById(this.transactions.manager, tenantId))) {
      throw DomainError.notFound(`Tenant '${tenantId}' not found`);
    }
  }
}

function assertName(name: string): void {
  assertValid(checkIdentifier('name', name, TEXT_LIMITS.userTypeName, 'userType.name'));
}

function toView(userType: UserTypeEntity): UserTypeView {
  return {
    id: userType.id,
    name: userType.name,
    createdOn: userType.createdOn.toISOString(),
    updatedOn: userType.updatedOn.toISOString(),
  };
}
