import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { AdminAuthGuard } from './admin-auth.guard';
import { BootstrapService } from './bootstrap.service';
import { CredentialRevocations } from './credential-revocations';
import { CredentialsRepository } from './credentials.repository';
import { CredentialsService } from './credentials.service';
import { OAuthGuessingLimiter } from './oauth-guessing.limiter';
import { OAuthController } from './oauth.controller';
import { ProvisioningAuthGuard } from './provisioning-auth.guard';
import { ScimAuthGuard } from './scim-auth.guard';
import { SERVER_KEY, serverKeyProvider } from './server-key.provider';
import { TokenService } from './token.service';

@Module({
  imports: [DirectoryModule],
  controllers: [OAuthController],
  providers: [
    serverKeyProvider,
    CredentialsRepository,
    CredentialRevocations,
    CredentialsService,
    TokenService,
    OAuthGuessingLimiter,
    BootstrapService,
    ProvisioningAuthGuard,
    ScimAuthGuard,
    AdminAuthGuard,
  ],
  exports: [SERVER_KEY, CredentialsService, TokenService, ProvisioningAuthGuard, ScimAuthGuard, AdminAuthGuard],
})
export class AuthModule {}
