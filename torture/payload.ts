/** One payload per idempotency key: the key's number is in the value, so a chain transaction names its key. */
export const requestValue = (key: number): string => String(1000 + key);
export const idempotencyKey = (key: number): string => `torture-key-${key}`;
