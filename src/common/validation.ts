import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import { DomainError, ErrorDetail } from './domain-error';

/** Flattens class-validator's tree into one detail per failed constraint, with dotted paths. */
export function validationDetails(errors: ValidationError[], prefix = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      path,
      field: error.property,
      message: error.constraints?.whitelistValidation === message ? `Unrecognized field '${error.property}'` : message,
    }));
    return [...own, ...validationDetails(error.children ?? [], path)];
  });
}

/**
 * The global pipe. Implicit conversion stays off: it would turn the query string `active=false`
 * into `true`. Queries convert explicitly in their DTOs. Arrays of DTOs are not validated by this
 * pipe (Nest cannot see the element type): controllers validate them explicitly.
 */
export function globalValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const details = validationDetails(errors);
      return new DomainError('VALIDATION', details[0]?.message ?? 'Validation failed', details);
    },
  });
}

/**
 * plainToInstance for parsed JSON. The keys class-transformer never copies (`__proto__`,
 * `constructor`) are left out first, as Nest's ValidationPipe strips them for the global pipe:
 * left in, class-transformer takes a nested object's own `constructor` for the class to build, and
 * `{"email": {"constructor": 1}}` throws a TypeError (a 500) instead of failing validation.
 */
export function toInstance<T extends object>(dto: ClassConstructor<T>, plain: object): T {
  return plainToInstance(dto, withoutProtoKeys(plain), { enableImplicitConversion: false });
}

function withoutProtoKeys(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(withoutProtoKeys);
  const copy: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (key !== '__proto__' && key !== 'constructor') copy[key] = withoutProtoKeys(entry);
  }
  return copy;
}
