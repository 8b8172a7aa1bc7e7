import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
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
  return new BodyValidationPipe({
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

const NOT_DTOS = new Set<unknown>([Object, Array, String, Number, Boolean]);

/**
 * A body read into a DTO class must be a JSON object: class-validator finds nothing wrong with an
 * array or `null` (it validates no properties of either), so `[]` would pass as an empty update.
 * An absent body stays absent and is validated as `{}` is.
 */
class BodyValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isDto = metadata.type === 'body' && metadata.metatype && !NOT_DTOS.has(metadata.metatype);
    if (isDto && value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      const message = 'The request body must be a JSON object';
      throw new DomainError('VALIDATION', message, [{ path: 'body', message }]);
    }
    return super.transform(value, metadata);
  }
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
