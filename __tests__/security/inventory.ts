// What the app serves, read from the source tree rather than listed by hand, so a new route, page or
// server action is walked (and must be classified in expectations.ts) without anyone remembering to:
// every app/**/route.ts with the HTTP methods it exports, every app/**/page.tsx with the layouts above
// it, and every exported function of every module that starts with "use server".
import fs from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(__dirname, "../..");
const APP = path.join(ROOT, "app");

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full) : [full];
  });
}

const rel = (file: string) => path.relative(ROOT, file).split(path.sep).join("/");

/** "app/(auth)/auth/callback/route.ts" → "/auth/callback"; dynamic segments stay as "[name]". */
export function patternOf(file: string): string {
  const dirs = path.relative(APP, path.dirname(file)).split(path.sep).filter(Boolean);
  const kept = dirs.filter((d) => !/^\(.*\)$/.test(d) && !d.startsWith("@"));
  return `/${kept.join("/")}`;
}

/** The dynamic segments of a pattern, in order. */
export const segmentsOf = (pattern: string) => [...pattern.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!);

/** The pattern with each [segment] replaced by its value. */
export function fill(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/\[([^\]]+)\]/g, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`No value for the dynamic segment [${name}] of ${pattern}: add one to the walker's PARAMS.`);
    return encodeURIComponent(v);
  });
}

export type RouteEntry = { file: string; pattern: string; methods: HttpMethod[] };

/** Every route handler file and the HTTP methods its source exports. */
export function routes(): RouteEntry[] {
  return walk(APP)
    .filter((f) => /\/route\.(ts|tsx|js)$/.test(f))
    .map((file) => {
      const src = fs.readFileSync(file, "utf8");
      const methods = HTTP_METHODS.filter((m) => new RegExp(`export\\s+(const|async\\s+function|function)\\s+${m}\\b`).test(src) || new RegExp(`export\\s*\\{[^}]*\\b${m}\\b[^}]*\\}`).test(src));
      return { file: rel(file), pattern: patternOf(file), methods };
    })
    .sort((a, b) => a.pattern.localeCompare(b.pattern));
}

export type PageEntry = { file: string; pattern: string; layouts: string[] };

/** Every page and the layouts that wrap it (the root layout, which only sets the HTML shell, aside). */
export function pages(): PageEntry[] {
  return walk(APP)
    .filter((f) => /\/page\.(tsx|ts|jsx|js)$/.test(f))
    .map((file) => {
      const layouts: string[] = [];
      for (let dir = path.dirname(file); dir.length > APP.length; dir = path.dirname(dir)) {
        for (const ext of ["tsx", "ts"]) {
          const layout = path.join(dir, `layout.${ext}`);
          if (fs.existsSync(layout)) layouts.unshift(rel(layout));
        }
      }
      return { file: rel(file), pattern: patternOf(file), layouts };
    })
    .sort((a, b) => a.pattern.localeCompare(b.pattern));
}

export type ActionEntry = { file: string; name: string; key: string };

const SOURCE_DIRS = ["app", "lib", "components", "hooks"];

/** A module-level "use server" directive: the first statement of the file. */
function isServerModule(src: string): boolean {
  const code = src.replace(/^(\s*(\/\/[^\n]*|\/\*[\s\S]*?\*\/))*\s*/, "");
  return /^["']use server["']/.test(code);
}

/** Every exported function of every "use server" module, as the source declares them. */
export function actions(): ActionEntry[] {
  const out: ActionEntry[] = [];
  for (const dir of SOURCE_DIRS) {
    const base = path.join(ROOT, dir);
    if (!fs.existsSync(base)) continue;
    for (const file of walk(base).filter((f) => /\.(ts|tsx)$/.test(f))) {
      const src = fs.readFileSync(file, "utf8");
      if (!src.includes("use server")) continue;
      if (!isServerModule(src)) {
        throw new Error(`${rel(file)} has an inline "use server": the security walker cannot reach such an action; move it to a "use server" module.`);
      }
      const names = new Set<string>();
      for (const m of src.matchAll(/export\s+(?:async\s+)?function\s+(\w+)/g)) names.add(m[1]!);
      for (const m of src.matchAll(/export\s+const\s+(\w+)\s*=\s*(?:async\b|\()/g)) names.add(m[1]!);
      for (const name of [...names].sort()) out.push({ file: rel(file), name, key: `${rel(file)}#${name}` });
    }
  }
  return out;
}

/** The module path jest resolves for a file under the root ("@/app/(auth)/actions"). */
export const importPath = (file: string) => `@/${file.replace(/\.(tsx?|jsx?)$/, "")}`;

/** Loads a module of the app through jest's registry (its mocks and path aliases apply). */
export function load<T = Record<string, unknown>>(file: string): T {
  return require(importPath(file)) as T;
}
