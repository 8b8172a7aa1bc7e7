import { DomainError } from '../common/domain-error';

/** Query-string parsing done by hand: implicit conversion would turn `false` into true. */
export function queryFlag(name: string, value: unknown): boolean {
  if (value === undefined || value === '') return false;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw invalid(name, `${name} must be true or false`);
}

export function queryInt(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  tooBig?: string,
): number {
  if (value === undefined || value === '') return fallback;
  const parsed = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : NaN;
  if (Number.isNaN(parsed) || parsed < min) throw invalid(name, `${name} must be a whole number of at least ${min}`);
  if (parsed > max) throw invalid(name, tooBig ?? `${name} cannot exceed ${max}`);
  return parsed;
}

export function queryString(name: string, value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(name, `${name} must be given once, as text`);
  return value;
}

export function queryDate(name: string, value: unknown): Date | undefined {
  const text = queryString(name, value);
  if (text === undefined) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw invalid(name, `${name} must be an ISO date-time such as 2024-01-15T10:30:00`);
  return date;
}

export function invalid(field: string, message: string): DomainError {
  return new DomainError('VALIDATION', message, [{ path: field, field, message }]);
}
