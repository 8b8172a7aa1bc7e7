export * from './filter.types';
export { parseFilter, parsePatchPath, MAX_FILTER_DEPTH, MAX_FILTER_LENGTH } from './filter.parser';
export { matchesFilter } from './filter.evaluate';
export { compileFilter } from './filter.sql';
