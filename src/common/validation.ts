import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
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

export interface ItemValidation<T> {
  index: number;
  /** The validated, transformed item when it has no errors. */
  value?: T;
  details: ErrorDetail[];
}

/**
 * Validates each element of an array body against a DTO class. Nest's global pipe cannot see the
 * element type of `Dto[]` and validates nothing there; a batch also needs the verdict per item
 * (an invalid item becomes a failed operation, not a rejected request).
 */
export function validateEach<T extends object>(
  dto: ClassConstructor<T>,
  items: readonly unknown[],
  pathPrefix: string,
): ItemValidation<T>[] {
  return items.map((item, index) => {
    const prefix = `${pathPrefix}.${index}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      return { index, details: [{ path: prefix, message: `${prefix} must be a JSON object` }] };
    }
    const value = plainToInstance(dto, item, { enableImplicitConversion: false });
    const errors = validateSync(value, { whitelist: true, forbidNonWhitelisted: true });
    const details = validationDetails(errors, prefix);
    return details.length > 0 ? { index, details } : { index, value, details };
  });
}
