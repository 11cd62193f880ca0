/**
 * Schema pieces every module's schemas share: nullable values, timestamps, ids, paging, and
 * references to the named schemas the API document lists as components.
 */
import { type Static, type TSchema, type TSchemaOptions, type TUnsafe, Type } from 'typebox';
import { IdNumber, PageNumber, PerPage } from './url-numbers.ts';

/** `T` or null. */
export const Nullable = <T extends TSchema>(schema: T, options?: TSchemaOptions) =>
  Type.Union([schema, Type.Null()], options);

export const NullableText = Nullable(Type.String());
export const NullableInteger = Nullable(Type.Integer());

/** An instant as the API writes it: ISO 8601 in UTC. */
export const Timestamp = Type.String({ description: 'ISO 8601, UTC' });
/** An instant that may not have happened (yet); `description` says when it is null. */
export const NullableTimestamp = (description?: string) =>
  Nullable(Timestamp, description === undefined ? undefined : { description });

/** `/{id}` in a path. */
export const IdParams = Type.Object({ id: IdNumber });

/** `?page=` alone, as the site's paged pages take it. */
export const PageQuery = Type.Object({ page: Type.Optional(PageNumber) });

/**
 * `page` and `per_page`, to spread into a query's properties. `perPage` documents `per_page`
 * (its default, and what a larger count becomes); a count above `maximum` is refused with a 422.
 */
export const paging = (perPage: string, maximum?: number) => ({
  page: Type.Optional(PageNumber),
  per_page: Type.Optional(PerPage(perPage, maximum)),
});

/**
 * A reference to a named schema (one with an `$id`), typed as the schema itself, so routes that
 * answer with it stay checked. The schema must be registered with `addSchema` (`app.ts`
 * registers the API's), which makes it one component of the API document.
 */
export function Ref<T extends TSchema>(schema: T): TUnsafe<Static<T>> {
  const id: unknown = (schema as { $id?: unknown }).$id;
  if (typeof id !== 'string') throw new TypeError('Only a schema with an $id can be referred to');
  return Type.Unsafe<Static<T>>(Type.Ref(`${id}#`));
}
