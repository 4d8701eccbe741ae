/** Drops `undefined` keys, so records compare with toEqual and serialise to JSON the same way. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
