import { formatViolations, takeContractResults, writeCoverage } from './contract';

/**
 * jest `setupFilesAfterEnv`: once a test file has run, every exchange its apps answered has been
 * checked against the OpenAPI document; the file fails with the list of what the document does
 * not describe, and leaves the operationIds it exercised for the global teardown's count.
 */
afterAll(() => {
  const { violations, exercised } = takeContractResults();
  writeCoverage(exercised);
  if (violations.length > 0) throw new Error(formatViolations(violations));
});
