import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TenantEntity } from './entities/tenant.entity';
import { DEFAULT_USER_TYPE, UserTypeEntity } from './entities/user-type.entity';

export type TenantChanges = Partial<Pick<TenantEntity, 'name' | 'orgCode' | 'locale' | 'timeZone'>>;

@Injectable()
export class TenantsRepository {
  findById(em: EntityManager, id: string): Promise<TenantEntity | null> {
    return em.findOneBy(TenantEntity, { id });
  }

  findByOrgCode(em: EntityManager, orgCode: string): Promise<TenantEntity | null> {
    return em.findOneBy(TenantEntity, { orgCode });
  }

  list(em: EntityManager): Promise<TenantEntity[]> {
    return em.find(TenantEntity, { order: { createdOn: 'ASC', id: 'ASC' } });
  }

  /** Creates the tenant with its default user type "1"; false when the id is taken. */
  async insert(em: EntityManager, tenant: Pick<TenantEntity, 'id' | 'name'> & TenantChanges): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .insert()
      .into(TenantEntity)
      .values(tenant)
      .orIgnore()
      .returning(['id'])
      .execute();
    if ((result.raw as unknown[]).length === 0) return false;
    await em
      .createQueryBuilder()
      .insert()
      .into(UserTypeEntity)
      .values({ tenantId: tenant.id, id: DEFAULT_USER_TYPE.id, name: DEFAULT_USER_TYPE.name })
      .orIgnore()
      .execute();
    return true;
  }

  async update(em: EntityManager, id: string, changes: TenantChanges): Promise<void> {
    if (Object.keys(changes).length > 0) await em.update(TenantEntity, { id }, changes);
  }
}
