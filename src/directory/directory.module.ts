import { Module } from '@nestjs/common';
import { TenantsRepository } from './tenants.repository';
import { TenantsService } from './tenants.service';
import { UserTypesRepository } from './user-types.repository';
import { UserTypesService } from './user-types.service';

/** The one directory model that SCIM, batch transactions and partner sync all write through. */
@Module({
  providers: [TenantsRepository, TenantsService, UserTypesRepository, UserTypesService],
  exports: [TenantsService, UserTypesService],
})
export class DirectoryModule {}
