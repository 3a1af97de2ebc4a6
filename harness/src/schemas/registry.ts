/**
 * Every JSON Schema in schemas/, loaded and compiled once per process with
 * Ajv (draft 2020-12). Validation errors come back as plain data naming the
 * schema, the JSON path in the instance and the rule broken, so that a case
 * failure or a refused plan file can say exactly what was wrong.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { usageError } from '../errors.js';
import { SCHEMAS_DIR } from '../paths.js';

// ajv-formats ships CommonJS with the function on .default
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: Ajv2020) => void;

export const SCHEMA_BASE = 'https://hilt.dev/schemas/v1/';

export interface SchemaViolation {
  /** $id of the schema that judged the instance. */
  schema: string;
  /** JSON Pointer into the instance ('' is the whole document). */
  path: string;
  /** The keyword and where it sits in the schema, e.g. "pattern at #/properties/name/pattern". */
  rule: string;
  message: string;
}

export function describeViolation(v: SchemaViolation): string {
  return `${v.schema} at ${v.path || '/'}: ${v.message} (rule ${v.rule})`;
}

function toViolation(schema: string, e: ErrorObject): SchemaViolation {
  let message = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') message = `has unknown property '${(e.params as { additionalProperty: string }).additionalProperty}'`;
  if (e.keyword === 'enum') message = `must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
  if (e.keyword === 'const') message = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
  return { schema, path: e.instancePath, rule: `${e.keyword} at ${e.schemaPath}`, message };
}

function listJson(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listJson(p));
    else if (entry.name.endsWith('.json')) out.push(p);
  }
  return out.sort();
}

export class SchemaRegistry {
  readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  /** Documents under schemas/ that are not schemas (profiles), by path relative to the folder. */
  readonly documents = new Map<string, unknown>();
  /** Every schema loaded from the folder, by $id. */
  readonly loaded = new Map<string, { title?: string }>();

  constructor(dir: string = SCHEMAS_DIR) {
    // The bundled schemas are checked against the draft 2020-12 meta-schema by the test suite
    // (checkBundled); doing it here would cost every run ~50 ms before its machine starts.
    this.ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, strictTypes: false, allowUnionTypes: true, $data: true, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addKeyword({ keyword: 'x-hilt', schemaType: 'object' });
    for (const file of listJson(dir)) {
      const doc = JSON.parse(readFileSync(file, 'utf8')) as { $id?: string; $schema?: string; title?: string };
      if (doc.$schema?.includes('json-schema.org') && doc.$id) {
        this.ajv.addSchema(doc);
        this.loaded.set(doc.$id, doc);
      } else this.documents.set(relative(dir, file), doc);
    }
  }

  has(id: string): boolean {
    return Boolean(this.ajv.getSchema(this.resolveId(id)));
  }

  /** Accepts a full $id or one relative to SCHEMA_BASE ("results.schema.json"). */
  resolveId(id: string): string {
    return id.includes('://') ? id : SCHEMA_BASE + id;
  }

  validator(id: string): ValidateFunction {
    const full = this.resolveId(id);
    let fn = this.compiled.get(full);
    if (!fn) {
      fn = this.ajv.getSchema(full);
      if (!fn) throw new Error(`no schema with $id ${full} in ${SCHEMAS_DIR}`);
      this.compiled.set(full, fn);
    }
    return fn;
  }

  /**
   * Compiles every schema now. Compiling is the costly part of validation;
   * a run does it while the test kernel boots, when the host has time, and
   * not while the console streams in.
   */
  compileAll(): void {
    for (const id of this.loaded.keys()) this.validator(id);
  }

  validate(id: string, data: unknown): SchemaViolation[] {
    const fn = this.validator(id);
    if (fn(data)) return [];
    return (fn.errors ?? []).map((e) => toViolation(this.resolveId(id), e));
  }

  /** Every bundled schema against the meta-schema; the errors, if any, by $id. */
  checkBundled(): string[] {
    const errors: string[] = [];
    for (const [id, doc] of this.loaded) {
      if (!this.ajv.validateSchema(doc)) errors.push(`${id}: ${this.ajv.errorsText(this.ajv.errors)}`);
    }
    return errors;
  }

  /** Compiles an extra schema given as data (a profile's observation rules), checked against the meta-schema first. */
  compileInline(schema: object, id: string): ValidateFunction {
    let fn = this.compiled.get(id);
    if (!fn) {
      if (!this.ajv.validateSchema(schema)) throw new Error(this.ajv.errorsText(this.ajv.errors));
      fn = this.ajv.compile({ ...schema, $id: id });
      this.compiled.set(id, fn);
    }
    return fn;
  }

  violations(fn: ValidateFunction, id: string, data: unknown): SchemaViolation[] {
    return fn(data) ? [] : (fn.errors ?? []).map((e) => toViolation(id, e));
  }

  /** Refuses a document (a plan, a manifest) before anything runs, naming the file, the path and the rule. */
  check(id: string, data: unknown, file: string): void {
    const errors = this.validate(id, data);
    if (errors.length) {
      throw usageError(
        `${file} does not match ${this.resolveId(id)}:\n` + errors.map((e) => `  ${e.path || '/'}: ${e.message} (rule ${e.rule})`).join('\n'),
        'Fix the file; the schema is in schemas/ and says what each field may hold.',
      );
    }
  }
}

let shared: SchemaRegistry | null = null;
/** One registry per process: schemas are compiled once per run. */
export function schemas(): SchemaRegistry {
  shared ??= new SchemaRegistry();
  return shared;
}
