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

export const imageSchema = z.looseObject({ id: nullableString, url: nullableString });

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

export const singleEnvelope = <T extends z.ZodType>(item: T) =>
  z.looseObject({ data: item, metadata: z.looseObject({}).nullish() });

export const listEnvelope = <T extends z.ZodType>(item: T) =>
  z.looseObject({ data: z.array(item), metadata: pageMetadataSchema.nullish() });

/** Credly's error body: `{ data: { message } }`, plus `error_index` on a batch 422. */
export const errorBodySchema = z.looseObject({
  data: z.looseObject({ message: z.string().optional(), error_index: z.number().int().optional() }),
});

export const entitySchema = z.looseObject({
  type: nullableString,
  id: nullableString,
  name: nullableString,
  url: nullableString,
  vanity_url: nullableString,
  verified: nullableBoolean,
});
