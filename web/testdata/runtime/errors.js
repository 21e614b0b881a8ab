// Errors anywhere on the page, for the tests to report (a module that
// fails to load never sets harnessReady).
window.pageErrors = [];
addEventListener("error", (e) => pageErrors.push(String(e.message)));
addEventListener("unhandledrejection", (e) => pageErrors.push(String(e.reason)));
const consoleError = console.error;
console.error = (...args) => { pageErrors.push(args.map(String).join(" ")); consoleError(...args); };
// The test server sends the platform pages' CSP: the renderer must need
// nothing it forbids (inline styles or scripts, other origins).
addEventListener("securitypolicyviolation", (e) => pageErrors.push(`CSP: ${e.violatedDirective} blocked ${e.blockedURI}`));
