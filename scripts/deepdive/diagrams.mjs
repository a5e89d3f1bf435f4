// Renders Mermaid diagrams to SVG at build time; run by scripts/deepdive/diagrams.py.
//
// Reads a JSON array of {"id", "text"} on stdin and writes a JSON array of
// {"id", "svg"} or {"id", "error"} to stdout: one Node process per build renders
// every diagram the cache does not hold. The pinned renderer is npm
// `beautiful-mermaid` (package.json), which lays diagrams out without a browser.
// Colours are CSS variables of the theme, so one SVG follows both palettes.

import { renderMermaidSVG } from "beautiful-mermaid";

const THEME = {
  bg: "var(--md-default-bg-color)",
  fg: "var(--md-default-fg-color)",
  line: "var(--md-default-fg-color--light)",
  accent: "var(--md-accent-fg-color)",
  muted: "var(--md-default-fg-color--light)",
  surface: "var(--md-code-bg-color)",
  border: "var(--md-default-fg-color--lighter)",
  font: "inherit",
  padding: 16,
  transparent: true,
};

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const requests = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const results = requests.map(({ id, text }) => {
  try {
    return { id, svg: renderMermaidSVG(text, THEME) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { id, error: message.split("\n")[0] };
  }
});
process.stdout.write(JSON.stringify(results));
