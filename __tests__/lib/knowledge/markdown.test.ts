// Article markdown renders to HTML that cannot run script.
import { renderMarkdown, safeHref } from "@/lib/knowledge/markdown";

describe("renderMarkdown", () => {
  it("renders headings, lists, emphasis, tables and safe links", () => {
    const html = renderMarkdown("# Prices\n\n- **Check-up** £55\n- [Book](https://example.test/book)\n\n| a | b |\n|---|---|\n| 1 | 2 |");
    expect(html).toContain("<h1>Prices</h1>");
    expect(html).toContain("<li><strong>Check-up</strong> £55</li>");
    expect(html).toContain('<a href="https://example.test/book" rel="noopener noreferrer nofollow" target="_blank">Book</a>');
    expect(html).toContain("<table>");
  });

  it("shows raw HTML as text and drops script links", () => {
    const html = renderMarkdown('<script>alert(1)</script>\n\nHi <img src=x onerror=alert(1)> [x](javascript:alert(1)) [y](java\nscript:alert(1)) ![i](data:text/html;base64,AAAA "t")');
    expect(html).not.toMatch(/<script|<img src=x|href="javascript|onerror=alert\(1\)>/i);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("data:text/html");
  });

  it("keeps only http(s), mailto, tel and relative targets", () => {
    expect(safeHref("https://a.test")).toBe("https://a.test");
    expect(safeHref("mailto:x@y.z")).toBe("mailto:x@y.z");
    expect(safeHref("/relative")).toBe("/relative");
    expect(safeHref(" JavaScript:alert(1)")).toBeNull();
    expect(safeHref("vbscript:x")).toBeNull();
  });
});
