import { z } from 'zod';

/**
 * Response schemas are loose: Credly adds fields within a version (credly-api.md §1 "Versioning"),
 * so unknown keys are kept, and most fields are optional and nullable because real captures show
 * nulls where examples show values.
 */
export const nullableString = z.string().nullish();
export const nullableBoolean = z.boolean().nullish();
export const nullableNumber = z.number().nullish();

/** An open string union: the known values for editors, any other string accepted at run time. */
export type Open<T extends string> = T | (string & {});
export const openString = <T extends string>() => z.string() as unknown as z.ZodType<Open<T>>;

/**
 * Fields Credly sent that this version of the package does not know, as sent. Every response
 * object has them under `unknownFields` (a name Credly's snake_case fields cannot take), so the
 * known fields have exact types: a typo such as `badge.recipent_email` does not compile.
 */
export type UnknownFields = Readonly<Record<string, unknown>>;

/** The response object for a shape: its known fields typed, every other field under `unknownFields`. */
export type ResponseObject<S extends z.ZodRawShape> = z.output<z.ZodObject<S>> & { readonly unknownFields: UnknownFields };

/**
 * A response schema: accepts any extra field (Credly adds fields within a version) and moves the
 * fields the shape does not name under `unknownFields`.
 */
export function responseObject<S extends z.ZodRawShape>(shape: S): z.ZodType<ResponseObject<S>> {
  const known = new Set(Object.keys(shape));
  return z.looseObject(shape).transform((value) => {
    // Every response object of every call goes through here: one pass, no copies.
    const fields = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    const unknownFields: Record<string, unknown> = {};
    for (const key of Object.keys(fields)) (known.has(key) ? out : unknownFields)[key] = fields[key];
    out.unknownFields = unknownFields;
    return out as ResponseObject<S>;
  }) as unknown as z.ZodType<ResponseObject<S>>;
}

export const imageSchema = responseObject({ id: nullableString, url: nullableString });

/** List metadata; high-volume search sends only `next_page_url`. */
export const pageMetadataSchema = z.looseObject({
  count: nullableNumber,
  current_page: nullableNumber,
  total_count: nullableNumber,
  total_pages: nullableNumber,
  per: nullableNumber,
  previous_page_url: nullableString,
  next_page_url: nullableString,
});
export type PageMetadata = z.infer<typeof pageMetadataSchema>;

// Envelopes are built once per item schema: zod 4 compiles a schema on first use, and building
// one per request would compile it again for every response.
const singles = new WeakMap<z.ZodType, z.ZodType>();
const lists = new WeakMap<z.ZodType, z.ZodType>();

const makeSingle = <T extends z.ZodType>(item: T) => z.looseObject({ data: item, metadata: z.looseObject({}).nullish() });
const makeList = <T extends z.ZodType>(item: T) => z.looseObject({ data: z.array(item), metadata: pageMetadataSchema.nullish() });

export function singleEnvelope<T extends z.ZodType>(item: T): ReturnType<typeof makeSingle<T>> {
  let schema = singles.get(item);
  if (!schema) singles.set(item, (schema = makeSingle(item)));
  return schema as ReturnType<typeof makeSingle<T>>;
}

export function listEnvelope<T extends z.ZodType>(item: T): ReturnType<typeof makeList<T>> {
  let schema = lists.get(item);
  if (!schema) lists.set(item, (schema = makeList(item)));
  return schema as ReturnType<typeof makeList<T>>;
}

/** Credly's error body: `{ data: { message } }`, plus `error_index` on a batch 422. */
export const errorBodySchema = z.looseObject({
  data: z.looseObject({ message: z.string().optional(), error_index: z.number().int().optional() }),
});

export const entitySchema = responseObject({
  type: nullableString,
  id: nullableString,
  name: nullableString,
  url: nullableString,
  vanity_url: nullableString,
  verified: nullableBoolean,
});
