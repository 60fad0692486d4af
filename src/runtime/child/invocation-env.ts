/**
 * The variables that change with every invocation (`_X_AMZN_TRACE_ID`, `TRACEPARENT`), kept in
 * `process.env` without setenv(3).
 *
 * Node's `process.env` writes go to the C environment, and glibc's setenv keeps every
 * `NAME=value` string it was ever given (pointers getenv handed out must stay valid): a new trace
 * id per invocation grew an environment by about 450 bytes per invocation, for good, and an
 * environment that had run about 150,000 no-op invocations was stopped by the memory limit (128 MB
 * by default), failing an invocation with nothing wrong in its handler. Here `process.env` becomes a view of the real
 * environment in which these names hold JavaScript strings: reads, `in`, `Object.keys`, spreads,
 * JSON and child processes the handler spawns (which copy `process.env`) see them as before;
 * every other name, `TZ` included, still goes to the real environment. Only native code calling
 * getenv(3) does not see them.
 */
export function invocationVariables(names: readonly string[]): (name: string, value: string | undefined) => void {
  const real = process.env;
  const own = new Map<string, string>();
  const isOwn = (key: string | symbol): key is string => typeof key === 'string' && names.includes(key);
  const descriptor = (value: string): PropertyDescriptor => ({ value, writable: true, enumerable: true, configurable: true });
  process.env = new Proxy(Object.create(null) as NodeJS.ProcessEnv, {
    get: (_, key) => (isOwn(key) ? own.get(key) : Reflect.get(real, key)),
    set: (_, key, value) => {
      if (isOwn(key)) own.set(key, String(value));
      else Reflect.set(real, key, value);
      return true;
    },
    has: (_, key) => (isOwn(key) ? own.has(key) : Reflect.has(real, key)),
    deleteProperty: (_, key) => (isOwn(key) ? (own.delete(key), true) : Reflect.deleteProperty(real, key)),
    ownKeys: () => [...Reflect.ownKeys(real), ...own.keys()],
    getOwnPropertyDescriptor: (_, key) => {
      if (!isOwn(key)) return Reflect.getOwnPropertyDescriptor(real, key);
      const value = own.get(key);
      return value === undefined ? undefined : descriptor(value);
    },
    defineProperty: (_, key, property) => {
      if (!isOwn(key)) return Reflect.defineProperty(real, key, property);
      own.set(key, String(property.value));
      return true;
    },
  });
  // A value the environment started with moves into the view, so it can be replaced and removed.
  for (const name of names) {
    const value = real[name];
    delete real[name];
    if (value !== undefined) own.set(name, value);
  }
  return (name, value) => {
    if (value === undefined) own.delete(name);
    else own.set(name, value);
  };
}
