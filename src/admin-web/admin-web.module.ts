import { Module } from '@nestjs/common';
import { AdminWebController } from './admin-web.controller';
import { defaultWebDir, WebBundle } from './web-bundle';

/** Serves the operator page (`web/`, built by `npm run build` into `dist/web`) at `/admin`. */
@Module({
  controllers: [AdminWebController],
  providers: [{ provide: WebBundle, useFactory: () => WebBundle.load(defaultWebDir()) }],
})
export class AdminWebModule {}
