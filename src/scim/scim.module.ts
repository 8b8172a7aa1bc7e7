import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ScimBulkController } from './bulk/bulk.controller';
import { ScimBulkService } from './bulk/bulk.service';
import { DirectoryModule } from '../directory/directory.module';
import { ScimCursors } from './cursor/scim-cursors';
import { ScimDiscoveryController } from './scim-discovery.controller';
import { ScimGroupsController } from './scim-groups.controller';
import { ScimGroupsService } from './scim-groups.service';
import { ScimUsersController } from './scim-users.controller';
import { ScimUsersService } from './scim-users.service';

/** The SCIM 2.0 front door (RFC 7643/7644) for Entra ID and Okta, over the shared directory. */
@Module({
  imports: [AuthModule, DirectoryModule],
  controllers: [ScimDiscoveryController, ScimUsersController, ScimGroupsController, ScimBulkController],
  providers: [ScimCursors, ScimUsersService, ScimGroupsService, ScimBulkService],
})
export class ScimModule {}
