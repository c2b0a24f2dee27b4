// The layers of src/, in one place: every import in src/ (static, type-only and dynamic alike) goes
// to its own folder or to a lower layer, never up and never sideways, and no module reaches itself
// through its imports. A new folder must be given its layer here.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../src");

/**
 * The layer order, lowest first. A module may import modules of its own folder and of any lower
 * layer. Folders in one layer are independent of each other (crystal knows nothing of the store,
 * the store nothing of CRYSTAL's decks, transport nothing of either). A file named here has the
 * layer given to it, not its folder's: the result types (with the one-line values they are partly
 * derived from) and shell quoting are used everywhere. files/ is the one way a file a user names
 * is read, below everything that reads one.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["crystal/output-values.ts"],
  ["crystal/result.ts", "transport/quote.ts"],
  ["domain"],
  ["files"],
  ["crystal", "transport", "store"],
  ["runners"],
  ["engine"],
  ["workflows"],
  ["app"],
  ["tui"],
  ["cli"],
];

/** The unit (a file named in LAYERS, else its top folder) and its layer. */
function unitOf(file: string): { unit: string; layer: number } {
  const rel = path.relative(SRC, file).split(path.sep).join("/");
  for (const [layer, units] of LAYERS.entries()) if (units.includes(rel)) return { unit: rel, layer };
  const top = rel.split("/")[0]!;
  const layer = LAYERS.findIndex((units) => units.includes(top));
  return { unit: top, layer };
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) ? [p] : [];
  });
}

/** Every relative module a file imports: `import … from`, `export … from`, `import(…)`. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const specs = [
    ...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+["']([^"']+)["']/gms),
    ...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
  ].map((m) => m[1]!);
  return specs
    .filter((s) => s.startsWith("."))
    .map((s) => {
      const base = path.resolve(path.dirname(file), s).replace(/\.js$/, "");
      const found = [".ts", ".tsx"].map((ext) => base + ext).find((f) => fs.existsSync(f));
      if (!found) throw new Error(`${path.relative(SRC, file)} imports ${s}, which does not exist`);
      return found;
    });
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const rel = (f: string) => path.relative(SRC, f);

describe("layers", () => {
  it("every folder of src/ has a layer", () => {
    const tops = new Set(files.map((f) => unitOf(f)));
    for (const { unit, layer } of tops) expect(layer, `${unit} is in no layer`).toBeGreaterThanOrEqual(0);
  });

  it("no import goes up a layer or sideways", () => {
    const violations: string[] = [];
    for (const [from, targets] of graph) {
      const a = unitOf(from);
      for (const to of targets) {
        const b = unitOf(to);
        if (a.unit === b.unit || b.layer < a.layer) continue;
        violations.push(
          `${rel(from)} (${a.unit}, layer ${a.layer}) → ${rel(to)} (${b.unit}, layer ${b.layer})`,
        );
      }
    }
    expect(violations).toEqual([]);
  });

  it("no import cycle", () => {
    // Tarjan's strongly connected components: any component of more than one module is a cycle
    let index = 0;
    const stack: string[] = [];
    const on = new Set<string>();
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const cycles: string[][] = [];
    const visit = (v: string) => {
      idx.set(v, index);
      low.set(v, index);
      index++;
      stack.push(v);
      on.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!idx.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
      if (low.get(v) === idx.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          on.delete(w);
          component.push(rel(w));
        } while (w !== v);
        if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
      }
    };
    for (const f of files) if (!idx.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });
});
