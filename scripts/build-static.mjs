// Builds static/dist from the npm packages and our own theme: no bundler, only files
// concatenated in a fixed order, so the output is reproducible and easy to read.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nm = (p) => join(root, "node_modules", p);
const dist = join(root, "static", "dist");
mkdirSync(join(dist, "css"), { recursive: true });
mkdirSync(join(dist, "js"), { recursive: true });

const css = [
  nm("@utrecht/component-library-css/dist/index.css"),
  nm("@nl-design-system-candidate/button-css/dist/button.css"),
  nm("@nl-design-system-candidate/heading-css/dist/heading.css"),
  nm("@nl-design-system-candidate/link-css/dist/link.css"),
  nm("@nl-design-system-candidate/paragraph-css/dist/paragraph.css"),
  join(root, "static/src/theme.css"),
  join(root, "static/src/app.css"),
  join(root, "static/src/print.css"),
]
  .map((file) => `/* ${file.replace(root + "/", "")} */\n` + readFileSync(file, "utf8").replace(/\/\*# sourceMappingURL=.*\*\//g, ""))
  .join("\n");
writeFileSync(join(dist, "css", "app.css"), css);
copyFileSync(nm("htmx.org/dist/htmx.min.js"), join(dist, "js", "htmx.min.js"));
copyFileSync(join(root, "static/src/app.js"), join(dist, "js", "app.js"));
console.log(`static/dist built: app.css ${(css.length / 1024).toFixed(0)} KiB`);
