// npm test: node's test runner cannot load TypeScript on Node 20, so each
// test/*.test.ts(x) is bundled with esbuild (React and the reconciler
// included, as in the browser) into .test-out/, then run with node --test.
import * as esbuild from "esbuild";
import { spawnSync } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, ".test-out");
const tests = readdirSync(join(root, "test")).filter((f) => /\.test\.tsx?$/.test(f)).sort();

rmSync(out, { recursive: true, force: true });
await esbuild.build({
  absWorkingDir: root,
  entryPoints: tests.map((f) => `test/${f}`),
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outdir: out,
  outExtension: { ".js": ".mjs" },
  jsx: "automatic",
  define: { "process.env.NODE_ENV": '"production"' },
  sourcemap: "inline",
  logLevel: "warning",
});
const files = readdirSync(out).filter((f) => f.endsWith(".test.mjs")).sort().map((f) => join(out, f));
const r = spawnSync(process.execPath, ["--enable-source-maps", "--test", ...files], { stdio: "inherit" });
process.exit(r.status ?? 1);
