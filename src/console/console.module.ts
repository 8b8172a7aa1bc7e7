import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DirectoryModule } from '../directory/directory.module';
import { DirectoryBrowserController } from './directory-browser.controller';
import { DirectoryBrowserRepository } from './directory-browser.repository';
import { DirectoryBrowserService } from './directory-browser.service';
import { IdpSetupController } from './idp-setup.controller';
import { IdpSetupService } from './idp-setup.service';

/** The operator console's own routes: the directory browser and identity-provider setup. */
@Module({
  imports: [AuthModule, DirectoryModule],
  // One per line: the overview's controller and service join these lists.
  controllers: [
    DirectoryBrowserController, // directory-*
    IdpSetupController, // idp-*
  ],
  providers: [
    DirectoryBrowserRepository, // directory-*
    DirectoryBrowserService, // directory-*
    IdpSetupService, // idp-*
  ],
})
export class ConsoleModule {}
