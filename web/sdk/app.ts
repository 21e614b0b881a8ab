// The App definition (DESIGN §7, seed 001): one typed object, the default
// export of src/app.tsx, that names every surface the app extends.
// describe.ts turns it into the manifest's parts.
import type { ComponentType } from "react";
import type { RecordType, Surface, SurfaceKind, TextField } from "./protocol";
import type { SettingsDefinition, SettingsSpec } from "./settings";

export type { RecordType, TextField, Surface, SurfaceKind };

/** A JSON Schema object. */
export type JSONSchema = { [keyword: string]: unknown };

/** Where a record surface was triggered. */
export interface RecordContext {
  organization_id: string;
  record_type: RecordType;
  record_id: string;
  record: { [field: string]: unknown };
}
export interface BulkContext {
  organization_id: string;
  record_type: RecordType;
  record_ids: string[];
}
export interface QuickActionContext {
  organization_id: string;
  record_type?: RecordType;
  record_id?: string;
}
export interface TextActionContext {
  organization_id: string;
  recording_id: string;
  field: TextField;
  text: string;
}

export type Awaitable = void | Promise<void>;

export interface RecordWidget {
  id: string;
  title: string;
  recordTypes: RecordType[];
  /** Rendered into the widget's root with the record it is shown on. */
  component: ComponentType<{ context: RecordContext }>;
}
export interface RecordAction {
  id: string;
  title: string;
  recordTypes: RecordType[];
  onTrigger(context: RecordContext): Awaitable;
}
export interface BulkRecordAction {
  id: string;
  title: string;
  recordTypes: RecordType[];
  onTrigger(context: BulkContext): Awaitable;
}
export interface QuickAction {
  id: string;
  title: string;
  /** Offer it only on these records; without it, everywhere. */
  recordTypes?: RecordType[];
  onTrigger(context: QuickActionContext): Awaitable;
}
export interface TextAction {
  id: string;
  title: string;
  onTrigger(context: TextActionContext): Awaitable;
}

/**
 * A server function: "<path>#<export>" or a function imported from a
 * *.server.ts module (the build's proxy carries its moduleHash).
 */
export type ServerFunctionRef = string | (((...args: never[]) => unknown) & { moduleHash?: string });

export interface RetryPolicy {
  maxAttempts: number;
  initialIntervalMs?: number;
  backoffCoefficient?: number;
}

/** A step automations can run: a server function with typed input and output. */
export interface WorkflowBlock {
  id: string;
  title: string;
  description?: string;
  input: JSONSchema;
  output: JSONSchema;
  retry?: RetryPolicy;
  run: ServerFunctionRef;
}
/** An event that starts automations; output is the schema of its data. */
export interface WorkflowTrigger {
  id: string;
  title: string;
  description?: string;
  output: JSONSchema;
}
/** An inbound webhook: deliveries run handler and may emit trigger. */
export interface WebhookHandler {
  id: string;
  title: string;
  handler: ServerFunctionRef;
  trigger?: string;
}

export interface App {
  record?: {
    actions?: RecordAction[];
    bulkActions?: BulkRecordAction[];
    widgets?: RecordWidget[];
  };
  callRecording?: { [F in TextField]?: { textActions: TextAction[] } };
  workflow?: {
    blocks?: WorkflowBlock[];
    triggers?: WorkflowTrigger[];
  };
  quickActions?: QuickAction[];
  webhooks?: WebhookHandler[];
  /** Hosts the server functions may fetch from (api.example.com, *.example.com). */
  outboundHosts?: string[];
  /** Informational: the settings of src/app.settings.ts. */
  settings?: SettingsDefinition<SettingsSpec>;
}

/** Returns app unchanged; it exists so the object is typed as an App. */
export function defineApp<A extends App>(app: A): A {
  return app;
}

export { describeApp, surfaceEntries } from "./describe";
export type { AppDescription, SurfaceEntry } from "./describe";
