// One app frame: the hidden iframe on the app's own origin, the handshake,
// and after it the MessageChannel port that is the only channel trusted
// (web/sdk/PROTOCOL.md). Everything the frame sends is checked here before
// anything else sees it; what fails a check is dropped and reported.

export const PLATFORM_SOURCE = "appstore-platform";
export const EXTENSION_SOURCE = "appstore-extension";
export const READY_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;
export const MAX_MESSAGE_BYTES = 256 * 1024;
export const MAX_MESSAGES_PER_SECOND = 200;
// A frame over the rate this many seconds running is removed.
const FLOOD_SECONDS_TO_STOP = 3;

// Frames by their window, so a window message is matched to the frame it
// really came from (event.source), never to the one it claims to be.
const framesByWindow = new Map();
let listening = false;

function onWindowMessage(event) {
  const data = event.data;
  const claimsExtension = data && typeof data === "object" && data.source === EXTENSION_SOURCE;
  const frame = framesByWindow.get(event.source);
  if (!frame) {
    if (claimsExtension) {
      // Not one of our frames (another frame, a nested one, a popup): say
      // so under the installation it claims, if that one is on this page.
      for (const f of framesByWindow.values()) {
        if (f.installationId === data.appInstallationId) {
          f.refuseMessage(data.type, "a message from a frame that is not the app's");
        }
      }
    }
    return;
  }
  frame.onWindowMessage(event);
}

/** AppFrame runs one installation's client bundle in a hidden frame. */
export class AppFrame {
  /**
   * @param app the runtime app from GET /organizations/:org/runtime/apps
   * @param hooks {onReady(), onFailed(message), onMessage(type, data, requestId), onRefused(report)}
   */
  constructor(app, hooks) {
    this.app = app;
    this.appId = app.app_id;
    this.installationId = app.installation_id;
    this.origin = app.origin;
    this.hooks = hooks;
    this.state = "loading"; // loading | ready | failed | stopped
    this.port = null;
    this.pending = new Map();
    this.windowStart = 0;
    this.windowCount = 0;
    this.floodSeconds = 0;
    this.floodReported = false;
    this.iframe = null;
  }

  start(container) {
    if (!listening) {
      window.addEventListener("message", onWindowMessage);
      listening = true;
    }
    const f = document.createElement("iframe");
    f.setAttribute("sandbox", "allow-scripts allow-same-origin");
    f.setAttribute("title", this.app.app_title + " (app runtime)");
    f.setAttribute("aria-hidden", "true");
    f.setAttribute("tabindex", "-1");
    f.className = "app-frame";
    f.dataset.installationId = this.installationId;
    f.src = this.app.frame_url;
    container.appendChild(f);
    this.iframe = f;
    framesByWindow.set(f.contentWindow, this);
    this.readyTimer = setTimeout(() => {
      if (this.state === "loading") this.fail("This app did not start: no answer within 10 s.");
    }, READY_TIMEOUT_MS);
  }

  onWindowMessage(event) {
    const d = event.data;
    if (this.state !== "loading") {
      // After the handshake only the port counts.
      if (d && typeof d === "object" && d.source === EXTENSION_SOURCE) this.refuseMessage(d.type, "a window message after the handshake");
      return;
    }
    // The origin first: a frame whose window now holds another origin's
    // document is not the app, whatever its message claims.
    const problem = (event.origin !== this.origin ? "a message from another origin (" + event.origin + ")" : "") || this.envelopeProblem(d);
    if (problem) {
      this.refuseMessage(d && d.type, problem);
      return;
    }
    if (d.type !== "ready") {
      this.refuseMessage(d.type, "a message before the handshake");
      return;
    }
    clearTimeout(this.readyTimer);
    if (d.data && d.data.error) {
      const e = d.data.error;
      this.fail("This app failed to start: " + String(e.message || e.code || "unknown error").slice(0, 300));
      return;
    }
    const channel = new MessageChannel();
    this.port = channel.port1;
    this.port.onmessage = (e) => this.onPortMessage(e);
    this.state = "ready";
    this.iframe.contentWindow.postMessage(this.envelope("init", {
      organization_id: this.app.organization_id,
      locale: navigator.language || "en",
    }), this.origin, [channel.port2]);
    this.hooks.onReady();
  }

  envelopeProblem(d) {
    if (!d || typeof d !== "object" || Array.isArray(d)) return "not an envelope";
    if (d.source !== EXTENSION_SOURCE) return "a wrong source";
    if (d.appId !== this.appId) return "a wrong appId";
    if (d.appInstallationId !== this.installationId) return "a wrong installation id";
    if (typeof d.type !== "string") return "no type";
    return "";
  }

  onPortMessage(event) {
    if (this.state !== "ready") return;
    if (!this.withinRate()) return;
    const d = event.data;
    let size = 0;
    try {
      size = JSON.stringify(d).length;
    } catch {
      this.refuseMessage(d && d.type, "a message that is not JSON");
      return;
    }
    if (size > MAX_MESSAGE_BYTES) {
      this.refuseMessage(d && d.type, "a message larger than 256 KiB");
      return;
    }
    const problem = this.envelopeProblem(d);
    if (problem) {
      this.refuseMessage(d && d.type, problem);
      return;
    }
    if (d.type === "trigger-surface-result") {
      this.settle(d.requestId, d.data);
      return;
    }
    this.hooks.onMessage(d.type, d.data, d.requestId);
  }

  // withinRate counts messages per second; past the limit they are
  // dropped, the first drop is reported, and a frame that keeps it up is
  // stopped.
  withinRate() {
    const now = performance.now();
    if (now - this.windowStart >= 1000) {
      this.floodSeconds = this.windowCount > MAX_MESSAGES_PER_SECOND ? this.floodSeconds + 1 : 0;
      this.windowStart = now;
      this.windowCount = 0;
      if (this.floodSeconds >= FLOOD_SECONDS_TO_STOP) {
        this.stop("This app was stopped: it kept sending too many messages.");
        return false;
      }
    }
    this.windowCount++;
    if (this.windowCount <= MAX_MESSAGES_PER_SECOND) return true;
    if (!this.floodReported) {
      this.floodReported = true;
      this.refuseMessage("", "more than " + MAX_MESSAGES_PER_SECOND + " messages a second");
    }
    return false;
  }

  envelope(type, data, requestId) {
    const m = { source: PLATFORM_SOURCE, type, appId: this.appId, appInstallationId: this.installationId, data };
    if (requestId) m.requestId = requestId;
    return m;
  }

  /** Sends a message on the port (nothing before the handshake). */
  send(type, data, requestId) {
    if (this.state === "ready") this.port.postMessage(this.envelope(type, data, requestId));
  }

  /** Sends a request and resolves with the answer's data, or rejects after 30 s. */
  request(type, data) {
    if (this.state !== "ready") return Promise.reject(new Error("The app is not running."));
    const requestId = crypto.randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error("The app did not answer within 30 s."));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(requestId, { resolve, reject, timer });
      this.send(type, data, requestId);
    });
  }

  settle(requestId, data) {
    const p = this.pending.get(requestId);
    if (!p) return;
    this.pending.delete(requestId);
    clearTimeout(p.timer);
    if (data && data.ok === true) p.resolve(data);
    else p.reject(new Error(String((data && data.error && data.error.message) || "The app could not do that.").slice(0, 300)));
  }

  refuseMessage(type, reason) {
    console.warn(`[appstore] refused a message from ${this.app.app_slug}: ${reason}`);
    this.hooks.onRefused({ kind: "message", reason, message: typeof type === "string" ? type.slice(0, 100) : "" });
  }

  fail(message) {
    if (this.state === "failed" || this.state === "stopped") return;
    this.state = "failed";
    this.teardown();
    this.hooks.onFailed(message);
  }

  stop(message) {
    if (this.state === "stopped") return;
    this.state = "stopped";
    this.teardown();
    this.hooks.onFailed(message);
  }

  teardown() {
    clearTimeout(this.readyTimer);
    if (this.port) {
      this.port.onmessage = null;
      this.port.close();
    }
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error("The app stopped."));
    }
    this.pending.clear();
    if (this.iframe) {
      framesByWindow.delete(this.iframe.contentWindow);
      this.iframe.remove();
    }
  }
}
