import { Module } from '@nestjs/common';
import { AssignmentsRepository } from './assignments.repository';
import { DepartmentsRepository } from './departments.repository';
import { DepartmentsService } from './departments.service';
import { GroupsService } from './groups.service';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';
import { TenantsRepository } from './tenants.repository';
import { TenantsService } from './tenants.service';
import { UserTypesRepository } from './user-types.repository';
import { UserTypesService } from './user-types.service';

/** The one directory model that SCIM, batch transactions and partner sync all write through. */
@Module({
  providers: [
    TenantsRepository,
    TenantsService,
    UserTypesRepository,
    UserTypesService,
    DepartmentsRepository,
    DepartmentsService,
    UsersRepository,
    UsersService,
    AssignmentsRepository,
    GroupsService,
  ],
  exports: [TenantsService, UserTypesService, DepartmentsService, UsersService, GroupsService],
})
export class DirectoryModule {}
