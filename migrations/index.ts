import { MigrationInterface } from 'typeorm';
import { Init1795454452051 } from './1795454452051-init';

/** Every migration, oldest first. A new migration file is listed here too. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [Init1795454452051];
