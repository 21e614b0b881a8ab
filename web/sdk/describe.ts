// What an App declares, as the manifest carries it. `appstore-cli build`
// evaluates describeApp into dist/app.manifest.json; the frame runtime
// uses surfaceEntries for set-surfaces and to find a surface's handler,
// so the manifest and the running app can never disagree.
import type { App, Awaitable, JSONSchema, RecordType, RecordWidget, ServerFunctionRef, Surface, SurfaceKind, TextField } from "./app";
import { RECORD_TYPES, TEXT_FIELDS } from "./protocol";

/** A surface and the definition that handles its triggers. */
export interface SurfaceEntry {
  surface: Surface;
  widget?: RecordWidget;
  action?: { onTrigger(context: never): Awaitable };
}

const ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

function checkIdTitle(where: string, def: { id?: unknown; title?: unknown } | undefined): void {
  if (!def || typeof def !== "object") throw new Error(`${where}: must be an object`);
  if (typeof def.id !== "string" || !ID.test(def.id)) {
    throw new Error(`${where}: id ${JSON.stringify(def.id)} must be 1-64 lowercase letters, digits, - or _`);
  }
  if (typeof def.title !== "string" || def.title.trim() === "" || def.title.length > 200) {
    throw new Error(`${where} "${def.id}": title must be 1-200 characters`);
  }
}

function recordTypes(where: string, types: unknown, required: boolean): RecordType[] | undefined {
  if (types === undefined && !required) return undefined;
  if (!Array.isArray(types) || (required && types.length === 0)) {
    throw new Error(`${where}: recordTypes must name at least one of ${RECORD_TYPES.join(", ")}`);
  }
  for (const t of types) {
    if (!RECORD_TYPES.includes(t)) throw new Error(`${where}: unknown record type ${JSON.stringify(t)} (use ${RECORD_TYPES.join(", ")})`);
  }
  return [...types];
}

function list<T>(where: string, v: T[] | undefined): T[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new Error(`${where} must be an array`);
  return v;
}

/**
 * The surfaces app provides, each with its definition, in manifest order.
 * It throws an Error naming the definition on a duplicate id, an unknown
 * record type or field, an empty title or a missing handler.
 */
export function surfaceEntries(app: App): SurfaceEntry[] {
  if (!app || typeof app !== "object") throw new Error("the app must be an object: export default defineApp({...})");
  const out: SurfaceEntry[] = [];
  const seen = new Map<string, unknown>();
  const add = (where: string, kind: SurfaceKind, def: { id: string; title: string }, entry: Omit<SurfaceEntry, "surface">, types?: RecordType[]) => {
    checkIdTitle(where, def);
    if (seen.has(def.id)) throw new Error(`${where}: duplicate surface id "${def.id}"`);
    seen.set(def.id, def);
    const surface: Surface = { kind, id: def.id, title: def.title };
    if (types) surface.record_types = types;
    out.push({ surface, ...entry });
  };
  const needFn = (where: string, def: { id: string }, fn: unknown, name: string) => {
    if (typeof fn !== "function") throw new Error(`${where} "${def.id}": ${name} must be a function`);
  };
  const rec = app.record ?? {};
  list("record.widgets", rec.widgets).forEach((w, i) => {
    const where = `record.widgets[${i}]`;
    checkIdTitle(where, w);
    needFn(where, w, w.component, "component");
    add(where, "record-widget", w, { widget: w }, recordTypes(where, w.recordTypes, true));
  });
  list("record.actions", rec.actions).forEach((a, i) => {
    const where = `record.actions[${i}]`;
    checkIdTitle(where, a);
    needFn(where, a, a.onTrigger, "onTrigger");
    add(where, "record-action", a, { action: a }, recordTypes(where, a.recordTypes, true));
  });
  list("record.bulkActions", rec.bulkActions).forEach((a, i) => {
    const where = `record.bulkActions[${i}]`;
    checkIdTitle(where, a);
    needFn(where, a, a.onTrigger, "onTrigger");
    add(where, "bulk-action", a, { action: a }, recordTypes(where, a.recordTypes, true));
  });
  list("quickActions", app.quickActions).forEach((a, i) => {
    const where = `quickActions[${i}]`;
    checkIdTitle(where, a);
    needFn(where, a, a.onTrigger, "onTrigger");
    add(where, "quick-action", a, { action: a }, recordTypes(where, a.recordTypes, false));
  });
  // One text action listed under several fields is one surface with
  // several fields; two different actions may not share an id.
  const text = new Map<string, SurfaceEntry>();
  for (const key of Object.keys(app.callRecording ?? {})) {
    if (!TEXT_FIELDS.includes(key as TextField)) {
      throw new Error(`callRecording.${key}: unknown field (use ${TEXT_FIELDS.join(", ")})`);
    }
  }
  for (const field of TEXT_FIELDS) {
    const group = app.callRecording?.[field];
    if (group === undefined) continue;
    list(`callRecording.${field}.textActions`, group.textActions).forEach((a, i) => {
      const where = `callRecording.${field}.textActions[${i}]`;
      checkIdTitle(where, a);
      needFn(where, a, a.onTrigger, "onTrigger");
      const prev = text.get(a.id);
      if (prev && prev.action === a) {
        prev.surface.fields!.push(field);
        return;
      }
      add(where, "text-action", a, { action: a });
      const entry = out[out.length - 1];
      entry.surface.fields = [field];
      text.set(a.id, entry);
    });
  }
  return out;
}

/** The manifest parts the App declares, in the manifest's snake_case. */
export interface AppDescription {
  surfaces: Surface[];
  workflow: {
    blocks: {
      id: string;
      title: string;
      description?: string;
      function: string;
      input: JSONSchema;
      output: JSONSchema;
      retry?: { max_attempts: number; initial_interval_ms?: number; backoff_coefficient?: number };
    }[];
    triggers: { id: string; title: string; description?: string; output: JSONSchema }[];
  };
  webhooks: { id: string; title: string; function: string; trigger?: string }[];
  outbound_hosts: string[];
}

function functionRef(where: string, ref: ServerFunctionRef | undefined): string {
  const hash = typeof ref === "function" ? ref.moduleHash : ref;
  if (typeof hash !== "string" || !hash.includes("#")) {
    throw new Error(`${where}: name a server function: import it from a *.server.ts module, or write "src/<file>.server.ts#<export>"`);
  }
  return hash;
}

function schema(where: string, s: unknown): JSONSchema {
  if (s === null || typeof s !== "object" || Array.isArray(s)) throw new Error(`${where}: must be a JSON Schema object`);
  return s as JSONSchema;
}

function describe(where: string, d: unknown): { description?: string } {
  if (d === undefined) return {};
  if (typeof d !== "string") throw new Error(`${where}: description must be a string`);
  return { description: d };
}

/** What app declares, as the manifest carries it; it throws like surfaceEntries. */
export function describeApp(app: App): AppDescription {
  const surfaces = surfaceEntries(app).map((e) => e.surface);
  const blockIds = new Set<string>();
  const blocks = list("workflow.blocks", app.workflow?.blocks).map((b, i) => {
    const where = `workflow.blocks[${i}]`;
    checkIdTitle(where, b);
    if (blockIds.has(b.id)) throw new Error(`${where}: duplicate block id "${b.id}"`);
    blockIds.add(b.id);
    const out: AppDescription["workflow"]["blocks"][number] = {
      id: b.id,
      title: b.title,
      ...describe(where, b.description),
      function: functionRef(`${where} "${b.id}".run`, b.run),
      input: schema(`${where} "${b.id}".input`, b.input),
      output: schema(`${where} "${b.id}".output`, b.output),
    };
    if (b.retry !== undefined) {
      const r = b.retry;
      if (!r || typeof r.maxAttempts !== "number") throw new Error(`${where} "${b.id}".retry: needs maxAttempts`);
      out.retry = { max_attempts: r.maxAttempts };
      if (r.initialIntervalMs !== undefined) out.retry.initial_interval_ms = r.initialIntervalMs;
      if (r.backoffCoefficient !== undefined) out.retry.backoff_coefficient = r.backoffCoefficient;
    }
    return out;
  });
  const triggerIds = new Set<string>();
  const triggers = list("workflow.triggers", app.workflow?.triggers).map((t, i) => {
    const where = `workflow.triggers[${i}]`;
    checkIdTitle(where, t);
    if (triggerIds.has(t.id)) throw new Error(`${where}: duplicate trigger id "${t.id}"`);
    triggerIds.add(t.id);
    return { id: t.id, title: t.title, ...describe(where, t.description), output: schema(`${where} "${t.id}".output`, t.output) };
  });
  const hookIds = new Set<string>();
  const webhooks = list("webhooks", app.webhooks).map((h, i) => {
    const where = `webhooks[${i}]`;
    checkIdTitle(where, h);
    if (hookIds.has(h.id)) throw new Error(`${where}: duplicate webhook id "${h.id}"`);
    hookIds.add(h.id);
    const out: AppDescription["webhooks"][number] = { id: h.id, title: h.title, function: functionRef(`${where} "${h.id}".handler`, h.handler) };
    if (h.trigger !== undefined) {
      if (!triggerIds.has(h.trigger)) throw new Error(`${where} "${h.id}": trigger "${h.trigger}" is not one of workflow.triggers`);
      out.trigger = h.trigger;
    }
    return out;
  });
  const outbound_hosts = list("outboundHosts", app.outboundHosts).map((h, i) => {
    if (typeof h !== "string" || !/^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(h)) {
      throw new Error(`outboundHosts[${i}]: ${JSON.stringify(h)} must be a lowercase DNS name such as api.example.com (or *.example.com)`);
    }
    return h;
  });
  return { surfaces, workflow: { blocks, triggers }, webhooks, outbound_hosts };
}
