import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UserTypeEntity } from './entities/user-type.entity';

@Injectable()
export class UserTypesRepository {
  list(em: EntityManager, tenantId: string): Promise<UserTypeEntity[]> {
    return em.find(UserTypeEntity, { where: { tenantId }, order: { id: 'ASC' } });
  }

  find(em: EntityManager, tenantId: string, id: string): Promise<UserTypeEntity | null> {
    return em.findOneBy(UserTypeEntity, { tenantId, id });
  }

  /** False when the tenant already has a user type with this id. */
  async insert(em: EntityManager, tenantId: string, id: string, name: string): Promise<boolean> {
    const result = await em
      .createQueryBuilder()
      .insert()
      .into(UserTypeEntity)
      .values({ tenantId, id, name })
      .orIgnore()
      .returning(['id'])
      .execute();
    return (result.raw as unknown[]).length > 0;
  }

  async rename(em: EntityManager, tenantId: string, id: string, name: string): Promise<boolean> {
    const result = await em.update(UserTypeEntity, { tenantId, id }, { name });
    return (result.affected ?? 0) > 0;
  }
}
