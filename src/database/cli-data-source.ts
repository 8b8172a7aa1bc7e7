// The data source the TypeORM CLI uses (`npm run migration:generate`, the drift check).
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL must name the PostgreSQL database to compare the entities with');

export default new DataSource(dataSourceOptions(url));
