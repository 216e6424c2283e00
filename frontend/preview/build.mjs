// Builds the preview bundle: node build.mjs (or `make preview-bundle` from the repository root).
// Writes <repo>/static/preview/widget.js with a header naming the versions from package-lock.json,
// and copies the Fluent UI MDL2 icon fonts into <repo>/static/preview/fonts/ so no icon loads from a CDN.
import { build } from "esbuild";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(here, "../../static/preview");
const lock = JSON.parse(readFileSync(path.join(here, "package-lock.json"), "utf8"));
const version = (name) => lock.packages[`node_modules/${name}`].version;
const BUNDLED = ["@microsoft/omnichannel-chat-components", "@fluentui/react", "adaptivecards", "react", "react-dom"];
const header = [
  "/*! Chat Channel Studio widget preview. Built by `make preview-bundle` from frontend/preview; do not edit.",
  ...BUNDLED.map((name) => ` * ${name}@${version(name)}`),
  ` * esbuild@${version("esbuild")}`,
  " * Licences: see widget.js.LICENSES.txt beside this file. */",
].join("\n");

// Bare imports the bundle takes from a narrower module than the package index (see src/entry/*.js).
// Paths under node_modules are resolved by file, past the packages' "exports" maps.
const NARROW = {
  "@microsoft/omnichannel-chat-components": "src/entry/components.js",
  adaptivecards: "src/entry/adaptivecards.js",
  rxjs: "src/entry/rxjs.js",
  "rxjs/operators": "src/entry/rxjs-operators.js",
};
const narrowImports = {
  name: "narrow-imports",
  setup(b) {
    b.onResolve({ filter: /^(@microsoft\/omnichannel-chat-components|adaptivecards|rxjs)(\/.*)?$/ }, (args) => {
      if (args.path in NARROW) return { path: path.join(here, NARROW[args.path]) };
      return { path: path.join(here, "node_modules", args.path) };
    });
  },
};

await build({
  plugins: [narrowImports],
  entryPoints: [path.join(here, "src/index.jsx")],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["chrome110", "firefox110", "safari16"],
  jsx: "automatic",
  legalComments: "none",
  banner: { js: header },
  define: { "process.env.NODE_ENV": '"production"' },
  outfile: path.join(out, "widget.js"),
  metafile: true,
  logLevel: "warning",
}).then((result) => writeLicences(Object.values(result.metafile.outputs)[0].inputs));

// The licence of every package with code in the bundle, next to it (MIT asks for the notice with copies).
function writeLicences(inputs) {
  const names = new Set();
  for (const file of Object.keys(inputs)) {
    const match = file.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
    if (match) names.add(match[1]);
  }
  const sections = [...names].sort().map((name) => {
    const dir = path.join(here, "node_modules", name);
    const file = readdirSync(dir).find((entry) => /^licen[cs]e/i.test(entry));
    const meta = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
    const source = typeof meta.repository === "string" ? meta.repository : (meta.repository || {}).url || "";
    const text = file
      ? readFileSync(path.join(dir, file), "utf8").trim()
      : `${meta.license} licence; the package ships no licence file (source: ${source}).`;
    return `${name}@${version(name)}\n\n${text}\n`;
  });
  writeFileSync(path.join(out, "widget.js.LICENSES.txt"), sections.join(`\n${"-".repeat(78)}\n\n`));
}

const fonts = path.join(here, "node_modules/@fluentui/font-icons-mdl2/fonts");
mkdirSync(path.join(out, "fonts"), { recursive: true });
for (const name of readdirSync(fonts)) copyFileSync(path.join(fonts, name), path.join(out, "fonts", name));

const bundle = readFileSync(path.join(out, "widget.js"));
console.log(
  `static/preview/widget.js: ${(statSync(path.join(out, "widget.js")).size / 1024).toFixed(0)} KB, ` +
    `${(gzipSync(bundle, { level: 9 }).length / 1024).toFixed(0)} KB gzipped`,
);
