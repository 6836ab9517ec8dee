/**
 * Arbitrary parameters to try an update with, chosen from the adapter's own plan schema: a value
 * each declared property accepts and that differs from its default where the schema says how.
 * @module
 */
type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => !!x && typeof x === 'object' && !Array.isArray(x);

function valueFor(schema: Obj): unknown {
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[schema.enum.length > 1 ? 1 : 0];
  switch (schema.type) {
    case 'boolean':
      return schema.default === true ? false : true;
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : 1;
      const max = typeof schema.maximum === 'number' ? schema.maximum : min + 10;
      return Math.min(max, Math.max(min, min + 1));
    }
    case 'string':
      return typeof schema.pattern === 'string' ? undefined : 'adapter-check';
    default:
      return undefined;
  }
}

/** Parameters for `service_instance.update`, or `{}` when the schema declares none we can fill. */
export function updateParameters(schemas: unknown): Obj {
  const params = isObj(schemas) && isObj(schemas.service_instance) && isObj(schemas.service_instance.update) ? schemas.service_instance.update.parameters : undefined;
  const props = isObj(params) && isObj(params.properties) ? params.properties : {};
  const out: Obj = {};
  for (const [k, s] of Object.entries(props)) {
    if (!isObj(s)) continue;
    const v = valueFor(s);
    if (v !== undefined) out[k] = v;
  }
  return out;
}
