import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DirectoryModule } from '../directory/directory.module';
import { CredentialsController, OperatorCredentialsController } from './credentials.controller';
import { MeController } from './me.controller';
import { TenantsController } from './tenants.controller';
import { UserTypesController } from './user-types.controller';

/** The operators' API for tenants, their credentials and user types. */
@Module({
  imports: [AuthModule, DirectoryModule],
  controllers: [
    MeController,
    TenantsController,
    CredentialsController,
    OperatorCredentialsController,
    UserTypesController,
  ],
})
export class AdminModule {}
