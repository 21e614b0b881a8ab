// The wire format of PROTOCOL.md, shared by the public SDK and the frame
// runtime. It has no dependencies: appstore-cli bundles it from source.

/** The source of messages the frame sends. */
export const EXTENSION_SOURCE = "appstore-extension";
/** The source of messages the platform sends. */
export const PLATFORM_SOURCE = "appstore-platform";
/** The SDK's version, sent with ready. */
export const SDK_VERSION = "0.1.0";

/** How long a request waits for its answer. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** The largest message, as UTF-8 JSON. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** The most nodes one root may hold. */
export const MAX_ROOT_NODES = 5_000;
/** The deepest a root's tree may be. */
export const MAX_DEPTH = 64;
/** The longest text node. */
export const MAX_TEXT = 10_000;
/** The most messages per second the host accepts from one installation. */
export const MAX_MESSAGES_PER_SECOND = 200;

/** The envelope of every message. */
export interface Envelope<T = unknown> {
  source: typeof EXTENSION_SOURCE | typeof PLATFORM_SOURCE;
  type: string;
  appId: string;
  appInstallationId: string;
  requestId?: string;
  data: T;
}

/** Whether msg has the envelope's shape (anything else is dropped). */
export function isEnvelope(msg: unknown): msg is Envelope {
  if (msg === null || typeof msg !== "object") return false;
  const m = msg as Partial<Envelope>;
  return (
    typeof m.source === "string" &&
    typeof m.type === "string" &&
    typeof m.appId === "string" &&
    typeof m.appInstallationId === "string" &&
    (m.requestId === undefined || typeof m.requestId === "string")
  );
}

/** A failed answer's error. */
export interface WireError {
  code: string;
  message: string;
}

export type SurfaceKind = "record-widget" | "record-action" | "bulk-action" | "quick-action" | "text-action";
export const SURFACE_KINDS: readonly SurfaceKind[] = ["record-widget", "record-action", "bulk-action", "quick-action", "text-action"];

export type RecordType = "contact" | "ticket" | "call_recording";
export const RECORD_TYPES: readonly RecordType[] = ["contact", "ticket", "call_recording"];

export type TextField = "transcript" | "summary" | "insight";
export const TEXT_FIELDS: readonly TextField[] = ["transcript", "summary", "insight"];

/** One surface, as the manifest and set-surfaces carry it. */
export interface Surface {
  kind: SurfaceKind;
  id: string;
  title: string;
  record_types?: RecordType[];
  fields?: TextField[];
}

/** A prop value on the wire: JSON, or a handler reference. */
export type WireProps = { [prop: string]: unknown };

export interface WireElement {
  id: number;
  type: string;
  props: WireProps;
  children: WireNode[];
}
export interface WireText {
  id: number;
  text: string;
}
export type WireNode = WireElement | WireText;

export type Mutation =
  | { op: "insert"; parent_id: number; index: number; node: WireNode }
  | { op: "remove"; parent_id: number; id: number }
  | { op: "props"; id: number; props: WireProps }
  | { op: "text"; id: number; text: string };

/** The UTF-8 length of s. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4; // a surrogate pair is one 4-byte character
      i++;
    } else n += 3;
  }
  return n;
}
