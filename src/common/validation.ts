import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, ErrorDetail } from './domain-error';

/** Flattens class-validator's tree into one detail per failed constraint, with dotted paths. */
export function validationDetails(errors: ValidationError[], prefix = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      path,
      field: error.property,
      message: error.constraints?.whitelistValidation === message ? `Unrecognized field '${path}'` : message,
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
