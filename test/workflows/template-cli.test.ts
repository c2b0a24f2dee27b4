// `crystal-tui template list | show | render` as a user runs them.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cli, cliJson, tempProject } from "../helpers/project.js";

function project() {
  const dir = tempProject();
  return { dir, env: { XDG_CONFIG_HOME: path.join(dir, ".config"), CRYSTAL_TUI_TEMPLATES_DIR: "" } };
}

describe("crystal-tui template", () => {
  it("lists built-in, user and project templates, the project's winning", () => {
    const { dir, env } = project();
    const user = path.join(dir, ".config/crystal-tui/templates");
    fs.mkdirSync(user, { recursive: true });
    fs.writeFileSync(
      path.join(user, "mine.yaml"),
      "name: mine\ndescription: the user's\nparams: []\ndeck: |\n  x\n",
    );
    fs.mkdirSync(path.join(dir, "templates"));
    fs.writeFileSync(
      path.join(dir, "templates/dos.yaml"),
      "name: dos\ndescription: the project's DOS\nkind: properties\nparams: []\ndeck: |\n  DOSS\n  END\n",
    );
    fs.writeFileSync(path.join(dir, "templates/broken.yaml"), "name: [\n");
    const r = cli(dir, ["template", "list", "--json"], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^crystal-tui: warning: template file .*broken\.yaml is not valid YAML/);
    const list = JSON.parse(r.stdout) as { name: string; source: string; kind: string; params: unknown[] }[];
    expect(list.map((t) => `${t.name}:${t.source}`)).toEqual([
      "bands:builtin",
      "dos:project",
      "elastic:builtin",
      "eos:builtin",
      "frequencies:builtin",
      "mine:user",
      "optimise:builtin",
      "single-point:builtin",
    ]);
    const text = cli(dir, ["template", "list"], env).stdout;
    expect(text.split("\n")[0]).toMatch(/^NAME\s+KIND\s+SOURCE\s+TAGS\s+DESCRIPTION$/);
    expect(text).toMatch(/\noptimise\s+crystal\s+builtin\s+opt,geometry\s+Geometry optimisation/);
  });

  it("shows a template's parameters and deck", () => {
    const { dir, env } = project();
    const r = cli(dir, ["template", "show", "optimise"], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^template {2}optimise \(crystal, builtin\)\n/);
    expect(r.stdout).toMatch(/\nmode\s+choice\s+FULLOPTG\s+FULLOPTG \| ATOMONLY \| CELLONLY\s+what moves/);
    expect(r.stdout).toMatch(/\nshrink\s+integer\s+8\s+1 – 64\s/);
    expect(r.stdout).toContain("\ndeck:\n{{ title }}\n");
    const json = cliJson<{ name: string; deck: string; params: { name: string }[] }>(
      dir,
      ["template", "show", "dos"],
      env,
    );
    expect(json.deck).toContain("DOSS");
    expect(cli(dir, ["template", "show", "nosuch"], env)).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^crystal-tui: there is no template "nosuch"/),
    });
  });

  it("renders a deck with --set, to stdout or a file", () => {
    const { dir, env } = project();
    const r = cli(
      dir,
      ["template", "render", "single-point", "--set", "shrink=12", "--set", "method=pbe0", "--set", "a=4.2"],
      env,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^MgO bulk\nCRYSTAL\n0 0 0\n225\n4\.2\n/);
    expect(r.stdout).toContain("\nDFT\nPBE0\nXLGRID\nENDDFT\n");
    expect(r.stdout).toContain("\nSHRINK\n12 12\n");
    const out = path.join(dir, "sp.d12");
    expect(cli(dir, ["template", "render", "single-point", "-o", out], env).stdout).toBe(
      `deck written to ${out}\n`,
    );
    expect(fs.readFileSync(out, "utf8")).toMatch(/^MgO bulk\n/);
    const json = cliJson<{ valid: boolean; calc_type: string; aux_inputs: string[]; errors: unknown[] }>(
      dir,
      ["template", "render", "frequencies", "--set", "geometry=external"],
      env,
    );
    expect(json).toMatchObject({ valid: true, calc_type: "freq", aux_inputs: ["fort.34"], errors: [] });
  });

  it("refuses bad values and prints the validator's errors, in one line, exit 1", () => {
    const { dir, env } = project();
    expect(cli(dir, ["template", "render", "single-point", "--set", "shrink=0"], env)).toMatchObject({
      code: 1,
      stdout: "",
      stderr: "crystal-tui: template single-point: shrink: 0 is below the minimum 1\n",
    });
    expect(cli(dir, ["template", "render", "single-point", "--set", "shrink"], env).code).toBe(2);
    fs.mkdirSync(path.join(dir, "templates"));
    fs.writeFileSync(
      path.join(dir, "templates/bad.yaml"),
      "name: bad\nparams: []\ndeck: |\n  MgO\n  CRYSTAL\n  0 0 0\n  225\n  4.21\n  1\n  12 0 0 0\n  BASISSET\n  STO-3G\n  SHRINK\n  8\n  END\n",
    );
    const r = cli(dir, ["template", "render", "bad"], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^crystal-tui: template bad: the rendered deck is not valid — line 1\d: SHRINK .*\n$/,
    );
  });
});
