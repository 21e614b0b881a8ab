// npm run build: the pinned runtime build the runtime page serves under
// /sdk/ (PROTOCOL.md, "Origins and the runtime page"). One esbuild run
// with code splitting, so react, react/jsx-runtime, @appstore/sdk (and
// @appstore/sdk/settings, which client code may import too) and the
// boot module share one React and one SDK instance; content-hashed names
// so they can be cached forever; runtime.json for the import map.
// The same lockfile gives the same bytes: nothing here depends on the
// time, the machine or the checkout's path.
import * as esbuild from "esbuild";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const require = createRequire(join(root, "package.json"));

// React is CommonJS: an app's `import { useState } from "react"` needs an
// ES module with named exports, so each wrapper re-exports every export
// of the production build, by name.
process.env.NODE_ENV = "production";
const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
function wrapper(pkg) {
  const names = Object.keys(require(pkg)).filter((n) => identifier.test(n) && n !== "default").sort();
  const src = JSON.stringify(pkg);
  return `import * as m from ${src};\nconst mod = m.default ?? m;\nexport default mod;\nexport const { ${names.join(", ")} } = mod;\n`;
}
const wrappers = { react: wrapper("react"), "jsx-runtime": wrapper("react/jsx-runtime") };

const entries = {
  plugin: {
    name: "appstore-entries",
    setup(b) {
      b.onResolve({ filter: /^appstore-entry:/ }, (args) => ({ path: args.path.slice("appstore-entry:".length), namespace: "appstore-entry" }));
      b.onLoad({ filter: /.*/, namespace: "appstore-entry" }, (args) => ({ contents: wrappers[args.path], resolveDir: root, loader: "js" }));
    },
  },
};

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: [
    { in: "appstore-entry:react", out: "react" },
    { in: "appstore-entry:jsx-runtime", out: "jsx-runtime" },
    { in: "index.ts", out: "sdk" },
    { in: "settings.ts", out: "settings" },
    { in: "runtime/boot.ts", out: "boot" },
  ],
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "browser",
  target: "es2020",
  minify: true,
  outdir: dist,
  entryNames: "[name]-[hash]",
  chunkNames: "chunk-[hash]",
  define: { "process.env.NODE_ENV": '"production"' },
  jsx: "automatic",
  charset: "utf8",
  metafile: true,
  logLevel: "warning",
  plugins: [entries.plugin],
});

const files = {};
for (const [file, out] of Object.entries(result.metafile.outputs)) {
  if (out.entryPoint) files[out.entryPoint] = file.slice("dist/".length);
}
const runtime = {
  imports: {
    react: files["appstore-entry:react"],
    "react/jsx-runtime": files["appstore-entry:jsx-runtime"],
    "@appstore/sdk": files["index.ts"],
    "@appstore/sdk/settings": files["settings.ts"],
  },
  boot: files["runtime/boot.ts"],
};
for (const [name, file] of Object.entries({ ...runtime.imports, boot: runtime.boot })) {
  if (!file) throw new Error(`build: no output for ${name}`);
}
writeFileSync(join(dist, "runtime.json"), JSON.stringify(runtime, null, 2) + "\n");
console.log(readdirSync(dist).sort().join("\n"));
