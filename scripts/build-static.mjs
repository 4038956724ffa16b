// Builds static/dist from the npm packages and our own theme: the CSS and the shared scripts are
// files concatenated or copied in a fixed order, so the output is reproducible and easy to read.
// One script is bundled (esbuild): the offline verifier of /verklaring/controleren/ (issue 14), our
// own code in mantelzorg/declaration/static/declaration/ with cborg (CBOR) and base45-web.
//
// Only the NL Design System components our pages use are included, in the order of Utrecht's
// component library bundle. tests/test_static.py fails when a template or a Python file uses a
// utrecht-* or nl-* class that app.css does not define (add the package that defines it here and
// to package.json), and when a component here is used by no page (drop it).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nm = (p) => join(root, "node_modules", p);
const dist = join(root, "static", "dist");
mkdirSync(join(dist, "css"), { recursive: true });
mkdirSync(join(dist, "js"), { recursive: true });

const utrecht = [
  "alert", // messages and notices
  "body",
  "checkbox", // form widgets (mantelzorg/core/forms.py, templates/django/forms/)
  "document",
  "form-field-description",
  "form-field-error-message",
  "form-field",
  "form-fieldset",
  "form-label",
  "paragraph",
  "radio-button",
  "select",
  "table",
  "textarea",
  "textbox",
];
const candidate = [
  "button-css/dist/button.css",
  "heading-css/dist/heading.css",
  "link-css/dist/link.css",
  "paragraph-css/dist/paragraph.css",
];

const css = [
  ...utrecht.map((name) => nm(`@utrecht/${name}-css/dist/index.css`)),
  ...candidate.map((file) => nm(`@nl-design-system-candidate/${file}`)),
  join(root, "static/src/theme.css"),
  join(root, "static/src/app.css"),
  join(root, "static/src/print.css"),
]
  .map((file) => `/* ${file.replace(root + "/", "")} */\n` + readFileSync(file, "utf8").replace(/\/\*# sourceMappingURL=.*\*\//g, ""))
  .join("\n");
writeFileSync(join(dist, "css", "app.css"), css);
copyFileSync(nm("htmx.org/dist/htmx.min.js"), join(dist, "js", "htmx.min.js"));
copyFileSync(join(root, "static/src/app.js"), join(dist, "js", "app.js"));
copyFileSync(join(root, "static/src/favicon.svg"), join(dist, "favicon.svg"));
const verifier = buildSync({
  entryPoints: [join(root, "mantelzorg/declaration/static/declaration/verify-page.js")],
  outfile: join(dist, "js", "declaration-verify.js"),
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  legalComments: "eof",
  metafile: true,
  logLevel: "error",
});
const bundled = Object.values(verifier.metafile.outputs)[0].bytes;
console.log(
  `static/dist built: app.css ${(css.length / 1024).toFixed(0)} KiB, declaration-verify.js ${(bundled / 1024).toFixed(1)} KiB`,
);
