// @appstore/sdk/settings: builders for an app's settings.
//
// An app describes its settings in src/app.settings.ts and exports them as
// the default export:
//
//   import { defineSettings, string, number, select } from "@appstore/sdk/settings";
//   export default defineSettings({
//     organization: { apiKey: string().label("API key").minLength(20) },
//     user: { theme: select(["light", "dark"]).default("light").optional() },
//   });
//
// `appstore-cli build` evaluates that module in an embedded JavaScript
// engine and writes `toJSONSchema()` to dist/settings.schema.json: JSON
// Schema draft 2020-12, an object with the properties `organization` and
// `user`, each an object schema (DESIGN §5). The platform validates every
// settings value against it on the server.
//
// Builders are immutable: each method returns a new builder, so a base
// builder can be shared. Fields are required unless marked `.optional()`.
// Bad arguments (min above max, an invalid pattern) throw, and the build
// reports the message.

/** A JSON Schema object. */
export type JSONSchema = { [keyword: string]: unknown };

/** The JSON Schema dialect the platform validates settings with. */
export const SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema";

/** The scopes a setting can live in: one value per organization, or per user. */
export const SCOPES = ["organization", "user"] as const;
export type Scope = (typeof SCOPES)[number];

/** Type-level only: marks a setting made optional(). */
export interface OptionalMark {
  readonly __optional: true;
}

/** The common part of every builder: constraints every type has. */
export abstract class Setting<T> {
  /** @internal The schema built so far. */
  protected readonly schema: JSONSchema;
  /** @internal Whether the field may be absent. */
  readonly isOptional: boolean;
  /** Type-level only: the value this setting holds. */
  declare readonly __value?: T;

  protected constructor(schema: JSONSchema, isOptional = false) {
    this.schema = schema;
    this.isOptional = isOptional;
  }

  /** A copy of this builder with patch merged into its schema. */
  protected with(patch: JSONSchema, isOptional: boolean = this.isOptional): this {
    const next = Object.create(Object.getPrototypeOf(this));
    next.schema = { ...this.schema, ...patch };
    next.isOptional = isOptional;
    return next;
  }

  /** The field may be left out. */
  optional(): this & OptionalMark {
    return this.with({}, true) as this & OptionalMark;
  }

  /** The field must be present (the default). */
  required(): this {
    return this.with({}, false);
  }

  /** The label shown in the settings form (JSON Schema `title`). */
  label(text: string): this {
    return this.with({ title: text });
  }

  /** Help text shown under the field (JSON Schema `description`). */
  description(text: string): this {
    return this.with({ description: text });
  }

  /** The value the settings form starts with. */
  default(value: T): this {
    return this.with({ default: value });
  }

  /** This setting as a JSON Schema (a fresh copy). */
  toJSONSchema(): JSONSchema {
    return JSON.parse(JSON.stringify(this.schema));
  }
}

function requireCount(what: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`${what} must be a whole number of at least 0, got ${n}`);
  }
}

function requireFinite(what: string, n: number): void {
  if (typeof n !== "number" || !Number.isFinite(n)) {
    throw new Error(`${what} must be a finite number, got ${n}`);
  }
}

/** A text setting. */
export class StringSetting extends Setting<string> {
  constructor() {
    super({ type: "string" });
  }

  /** At least n characters. */
  minLength(n: number): this {
    requireCount("minLength", n);
    const max = this.schema.maxLength as number | undefined;
    if (max !== undefined && n > max) throw new Error(`minLength ${n} is above maxLength ${max}`);
    return this.with({ minLength: n });
  }

  /** At most n characters. */
  maxLength(n: number): this {
    requireCount("maxLength", n);
    const min = this.schema.minLength as number | undefined;
    if (min !== undefined && n < min) throw new Error(`maxLength ${n} is below minLength ${min}`);
    return this.with({ maxLength: n });
  }

  /**
   * The value must match the regular expression (unanchored, as JSON Schema
   * says: use ^ and $ to match the whole value). Keep to the syntax RE2 and
   * ECMAScript share: the server checks values with RE2.
   */
  pattern(re: string | RegExp): this {
    const source = typeof re === "string" ? re : re.source;
    new RegExp(source); // throws on a bad pattern, at build time
    return this.with({ pattern: source });
  }
}

/** A numeric setting. */
export class NumberSetting extends Setting<number> {
  constructor() {
    super({ type: "number" });
  }

  /** At least n (inclusive). */
  min(n: number): this {
    requireFinite("min", n);
    const max = this.schema.maximum as number | undefined;
    if (max !== undefined && n > max) throw new Error(`min ${n} is above max ${max}`);
    return this.with({ minimum: n });
  }

  /** At most n (inclusive). */
  max(n: number): this {
    requireFinite("max", n);
    const min = this.schema.minimum as number | undefined;
    if (min !== undefined && n < min) throw new Error(`max ${n} is below min ${min}`);
    return this.with({ maximum: n });
  }

  /** Whole numbers only (JSON Schema `integer`). */
  integer(): this {
    return this.with({ type: "integer" });
  }
}

/** An on/off setting. */
export class BooleanSetting extends Setting<boolean> {
  constructor() {
    super({ type: "boolean" });
  }
}

/** One choice of a select: a bare value, or a value with its label. */
export type SelectOption<V extends string | number> = V | { value: V; label: string };

/** A choice among fixed values (JSON Schema `enum`). */
export class SelectSetting<V extends string | number> extends Setting<V> {
  constructor(options: readonly SelectOption<V>[]) {
    if (!Array.isArray(options) || options.length === 0) {
      throw new Error("select needs at least one option");
    }
    const values: V[] = [];
    const labels: string[] = [];
    let labelled = false;
    for (const o of options) {
      const value = (typeof o === "object" && o !== null ? o.value : o) as V;
      if (typeof value !== "string" && typeof value !== "number") {
        throw new Error(`select options must be strings or numbers, got ${JSON.stringify(o)}`);
      }
      if (values.indexOf(value) >= 0) throw new Error(`select option ${JSON.stringify(value)} appears twice`);
      values.push(value);
      if (typeof o === "object" && o !== null) {
        labelled = true;
        labels.push(o.label);
      } else {
        labels.push(String(value));
      }
    }
    const schema: JSONSchema = {};
    if (values.every((v) => typeof v === "string")) schema.type = "string";
    else if (values.every((v) => typeof v === "number")) schema.type = "number";
    schema.enum = values;
    if (labelled) schema["x-enum-labels"] = labels; // an annotation for the form
    super(schema);
  }

  default(value: V): this {
    if ((this.schema.enum as V[]).indexOf(value) < 0) {
      throw new Error(`default ${JSON.stringify(value)} is not one of the options`);
    }
    return super.default(value);
  }
}

/** The fields of a struct or a scope, by key. */
export type Fields = { [key: string]: Setting<unknown> };

type ValueOf<S> = S extends Setting<infer T> ? T : never;

/** The value type a set of fields describes: optional() fields may be absent. */
export type Infer<F extends Fields> = {
  [K in keyof F as F[K] extends OptionalMark ? never : K]: ValueOf<F[K]>;
} & {
  [K in keyof F as F[K] extends OptionalMark ? K : never]?: ValueOf<F[K]>;
};

function objectSchema(fields: Fields, where: string): JSONSchema {
  if (fields === null || typeof fields !== "object" || Array.isArray(fields)) {
    throw new Error(`${where} must be an object of settings`);
  }
  const properties: JSONSchema = {};
  const required: string[] = [];
  for (const key of Object.keys(fields)) {
    const field = fields[key];
    if (!(field instanceof Setting)) {
      throw new Error(`${where}.${key} is not a setting: build it with string(), number(), boolean(), select() or struct()`);
    }
    properties[key] = field.toJSONSchema();
    if (!field.isOptional) required.push(key);
  }
  const schema: JSONSchema = { type: "object", properties, additionalProperties: false };
  if (required.length > 0) schema.required = required;
  return schema;
}

/** A group of settings (JSON Schema nested object). */
export class StructSetting<F extends Fields> extends Setting<Infer<F>> {
  constructor(fields: F) {
    super(objectSchema(fields, "struct"));
  }
}

/** A text setting. */
export function string(): StringSetting {
  return new StringSetting();
}

/** A numeric setting. */
export function number(): NumberSetting {
  return new NumberSetting();
}

/** An on/off setting. */
export function boolean(): BooleanSetting {
  return new BooleanSetting();
}

/** A choice among fixed values. */
export function select<V extends string | number>(options: readonly SelectOption<V>[]): SelectSetting<V> {
  return new SelectSetting(options);
}

/** A group of settings. */
export function struct<F extends Fields>(fields: F): StructSetting<F> {
  return new StructSetting(fields);
}

/** The settings of an app, by scope. */
export interface SettingsSpec {
  organization?: Fields;
  user?: Fields;
}

/** An app's settings: what app.settings.ts exports by default. */
export class SettingsDefinition<S extends SettingsSpec> {
  readonly organization: Fields;
  readonly user: Fields;

  constructor(spec: S) {
    if (spec === null || typeof spec !== "object") {
      throw new Error("defineSettings needs an object with organization and/or user settings");
    }
    for (const key of Object.keys(spec)) {
      if ((SCOPES as readonly string[]).indexOf(key) < 0) {
        throw new Error(`unknown settings scope ${JSON.stringify(key)}: use "organization" or "user"`);
      }
    }
    this.organization = spec.organization ?? {};
    this.user = spec.user ?? {};
  }

  /** The JSON Schema of DESIGN §5 for these settings. */
  toJSONSchema(): JSONSchema {
    return {
      $schema: SCHEMA_DIALECT,
      type: "object",
      properties: {
        organization: objectSchema(this.organization, "organization"),
        user: objectSchema(this.user, "user"),
      },
      additionalProperties: false,
    };
  }
}

/** Declares an app's settings in their two scopes. */
export function defineSettings<S extends SettingsSpec>(spec: S): SettingsDefinition<S> {
  return new SettingsDefinition(spec);
}

/** The values of a settings definition, by scope. */
export type SettingsValues<D> = D extends SettingsDefinition<infer S>
  ? {
      organization: S["organization"] extends Fields ? Infer<S["organization"]> : {};
      user: S["user"] extends Fields ? Infer<S["user"]> : {};
    }
  : never;
