// The pinned runtime build, as the runtime page's import map serves it:
// named exports where a client bundle expects them, one React for all.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const dist = new URL("../dist/", import.meta.url);
const runtime = JSON.parse(readFileSync(new URL("runtime.json", dist), "utf8")) as {
  imports: { [name: string]: string };
  boot: string;
};

test("runtime.json names an entry for each import and the boot module", () => {
  assert.deepEqual(Object.keys(runtime.imports).sort(), ["@appstore/sdk", "@appstore/sdk/settings", "react", "react/jsx-runtime"]);
  for (const f of [...Object.values(runtime.imports), runtime.boot]) assert.match(f, /^[a-z-]+-[A-Z0-9]{8}\.js$/);
});

test("react and react/jsx-runtime are ES modules with React's named exports, sharing one React", async () => {
  const react = await import(new URL(runtime.imports.react, dist).href);
  const jsx = await import(new URL(runtime.imports["react/jsx-runtime"], dist).href);
  for (const name of ["useState", "useEffect", "useRef", "useMemo", "createElement", "Fragment", "createContext"]) {
    assert.ok(react[name] !== undefined, `react exports ${name}`);
  }
  for (const name of ["jsx", "jsxs", "Fragment"]) assert.ok(jsx[name] !== undefined, `jsx-runtime exports ${name}`);
  assert.equal(react.Fragment, jsx.Fragment, "one React behind both");
  assert.equal(react.default.useState, react.useState);
});

test("@appstore/sdk exports the public API", async () => {
  const sdk = await import(new URL(runtime.imports["@appstore/sdk"], dist).href);
  for (const name of ["defineApp", "openDialog", "runServerFunction", "ServerFunctionError", "Button", "Card", "Stack"]) {
    assert.ok(sdk[name] !== undefined, `@appstore/sdk exports ${name}`);
  }
  assert.equal(sdk.Button, "Button");
});
