import type { TrustMap } from "./graph.js";
import { renderHtml } from "./html.js";
import { renderMarkdown, renderMermaid } from "./mermaid.js";

export const MAP_FORMATS = ["html", "mermaid", "markdown", "json"] as const;
export type MapFormat = (typeof MAP_FORMATS)[number];

export function renderMap(map: TrustMap, format: MapFormat): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(map, null, 2)}\n`;
    case "mermaid":
      return renderMermaid(map);
    case "markdown":
      return renderMarkdown(map);
    case "html":
      return renderHtml(map);
  }
}
