/**
 * Fastify's own schema compilers (Ajv for what comes in, fast-json-stringify for what goes out),
 * each route's validators and serializers compiled when that route first needs them rather than
 * all at start. Compiling every schema of every route took about a third of start-up and kept
 * the code of routes a node may never serve; the first request of a route pays its few
 * milliseconds instead. `compileAll` does the work at once (tests use it to find a schema that
 * does not compile).
 */
import ajvCompiler from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type Compilers = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>;

interface Deferred {
  /** Compiles now, if no request has made it compile yet. */
  compile(): void;
}

export interface LazyCompilers {
  /** Fastify's `schemaController.compilersFactory` option. */
  compilersFactory: Compilers;
  /** Compiles every schema not compiled yet, and says how many; throws what the compiler throws. */
  compileAll(): number;
}

export function lazyCompilers(): LazyCompilers {
  const buildValidator = ajvCompiler();
  const buildSerializer = SerializerSelector();
  const pending = new Set<Deferred>();

  /** A function standing for `build(route)`'s, which it compiles on its first call. */
  function deferred<F extends (data: unknown) => unknown>(build: () => F): F {
    let real: F | undefined;
    const compile = () => {
      if (real) return real;
      real = build();
      pending.delete(entry);
      return real;
    };
    const entry: Deferred = { compile };
    pending.add(entry);
    const stand = ((data: unknown) => {
      const fn = compile();
      const result = fn(data);
      // Ajv reports why validation failed on the function itself; Fastify reads it there.
      (stand as { errors?: unknown }).errors = (fn as { errors?: unknown }).errors;
      return result;
    }) as F;
    return stand;
  }

  const compilersFactory: Compilers = {
    buildValidator(externalSchemas: unknown, options: unknown) {
      const compile = buildValidator(externalSchemas as never, options as never);
      // The declared type says it takes the schema; at run time it takes the route, as here.
      return (route: unknown) => deferred(() => compile(route as never) as never);
    },
    buildSerializer(externalSchemas: unknown, options: unknown) {
      const compile = buildSerializer(externalSchemas, options as never);
      return (route: unknown) => deferred(() => compile(route as never));
    },
  };
  return {
    compilersFactory,
    compileAll() {
      const left = [...pending];
      for (const entry of left) entry.compile();
      return left.length;
    },
  };
}
