// The baseline of the SCIM benchmark: the least a Nest + TypeORM service on this machine pays per
// request. One route, `GET /baseline/users/:id`, one primary-key lookup through a TypeORM
// DataSource, answered as JSON. No guards, no pipes, no body parser, no logger. It runs as its own
// process, like the service:
//   DATABASE_URL=postgres://... PORT=3999 node -r ts-node/register/transpile-only bench/support/baseline-app.ts
// (APPLICATION_NAME names its connections in pg_stat_activity; the benchmark finds its backends by it.)
import 'reflect-metadata';
import { Controller, Get, Inject, Module, NotFoundException, Param } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';

const DATA_SOURCE = Symbol('DATA_SOURCE');

@Controller('baseline')
class BaselineController {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  @Get('users/:id')
  async user(@Param('id') id: string): Promise<Record<string, unknown>> {
    const rows: Record<string, unknown>[] = await this.dataSource.query('SELECT * FROM users WHERE id = $1', [id]);
    if (rows.length === 0) throw new NotFoundException();
    return rows[0];
  }
}

@Module({
  controllers: [BaselineController],
  providers: [
    {
      provide: DATA_SOURCE,
      useFactory: () => {
        const url = process.env.DATABASE_URL;
        if (!url) throw new Error('DATABASE_URL must be set');
        // The service's pool settings (size, timeouts) with nothing else of its configuration.
        const { extra } = dataSourceOptions(url) as { extra: Record<string, unknown> };
        return new DataSource({
          type: 'postgres',
          url,
          extra: { ...extra, application_name: process.env.APPLICATION_NAME ?? 'idp-bench-baseline' },
        }).initialize();
      },
    },
  ],
})
class BaselineModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(BaselineModule, { logger: false });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3999), '127.0.0.1');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
