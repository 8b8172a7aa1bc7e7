const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether an id from a URL can be a row id: anything else is answered like a missing row, never a 500. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
