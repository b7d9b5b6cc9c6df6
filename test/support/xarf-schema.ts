import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** The X-ARF 4 schemas and samples of the shared corpus, read at run time (not copied). */
export const XARF_DIR = join(import.meta.dirname, '../../../shared/corpus/xarf');
const MASTER_ID = 'https://xarf.org/schemas/v4/xarf-v4-master.json';

// ajv-formats is CommonJS: under NodeNext the default import is `module.exports`, the plugin,
// which carries itself again as `.default` (the only spelling its types accept).
const addFormats = addFormatsModule.default;

/** The X-ARF 4 master schema, compiled with every core and type schema it refers to. */
export function buildXarfValidator(): ValidateFunction {
  // strictTypes and strictRequired are authoring lints (a `type` beside `format`, a `required`
  // naming a property declared in a sibling schema), not validation: the schemas trip them.
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
  });
  addFormats(ajv);
  // An annotation of the X-ARF schemas (which fields are recommended); it validates nothing.
  ajv.addKeyword('x-recommended');
  const dir = join(XARF_DIR, 'schemas/v4');
  const files = [
    ...readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(dir, f)),
    ...readdirSync(join(dir, 'types'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(dir, 'types', f)),
  ];
  for (const f of files) ajv.addSchema(JSON.parse(readFileSync(f, 'utf8')) as object);
  const validate = ajv.getSchema(MASTER_ID);
  assert.ok(validate, 'master schema compiled');
  return validate;
}
