import { readFileSync } from 'node:fs';
import { Ajv2019 } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import { fileURLToPath } from 'node:url';

const schemaPath = fileURLToPath(new URL('../../schemas/ob3/ob_v3p0_achievementcredential_schema.json', import.meta.url));
// ajv-formats is CommonJS: its function may sit on `default`.
type AddFormats = (ajv: Ajv2019) => unknown;
const addFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as unknown as AddFormats;

let validate: ReturnType<Ajv2019['compile']> | undefined;

/** The problems 1EdTech's AchievementCredential JSON Schema (draft 2019-09) finds, one line each; empty when valid. */
export function schemaErrors(credential: unknown): string[] {
  if (!validate) {
    const ajv = new Ajv2019({ allErrors: true, strict: false });
    addFormats(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
  }
  if (validate(credential)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
}
