// `crystal-tui job show ID` (text): the results a chemist reads in the TUI's Results tab, as plain
// lines — the energy (marked when it is not final), the same summary rows (gap, cell, SCF cycles,
// convergence), the frequencies with their imaginary count, the elastic moduli and stability, and
// what the band structure and DOS files hold. The panels are the TUI's own, printed without colour.
import type { CrystalResult } from "../../../crystal/result.js";
import type { JobStatus } from "../../../domain/status.js";
import { readResultFiles } from "../../hooks/result-files.js";
import { bandEdges } from "./bands.js";
import { stabilityLine } from "./elastic.js";
import { frequencySummary, IMAGINARY_MARK } from "./frequencies.js";
import { jobMarks } from "./list-marks.js";
import { tickNames } from "./properties-deck.js";
import { elasticOf, frequenciesOf } from "./sections.js";
import { fixed, type Line, plainText, row } from "./styled.js";
import { summaryLines } from "./summary.js";

export interface ShownJob {
  name: string;
  status: JobStatus;
  finalEnergy: number | null;
  keyResults: CrystalResult | null;
  inputFile: string | null;
}

/** The job's energy line and its results block; `folder` is read for band structure and DOS files. */
export function jobResultLines(job: ShownJob, folder: string | null): string[] {
  const out: string[] = [];
  const r = job.keyResults;
  const imaginary = frequenciesOf(r?.frequencies)?.n_imaginary ?? null;
  const marks = jobMarks({
    status: job.status,
    finalEnergy: job.finalEnergy,
    verdict: r,
    imaginaryModes: imaginary,
    standin: Boolean(r?.standin),
  });
  if (marks.energy) {
    const said = marks.why.filter((w) => !w.startsWith(IMAGINARY_MARK));
    out.push(`energy    ${marks.energy} Ha${said.length ? `  ${said.join("; ")}` : ""}`);
  }
  const data = folder ? readResultFiles(folder, job.name, new Map()) : null;
  if (!r && !data) return out;
  const lines: Line[] = [];
  if (r) lines.push(...summaryLines({ results: r, jobStatus: job.status, live: false }));
  const f = frequenciesOf(r?.frequencies);
  if (f && f.modes.length > 0) lines.push(row("Modes at Γ", ...frequencySummary(f)));
  const e = elasticOf(r?.elastic);
  if (e) {
    lines.push(row("Stability", ...stabilityLine(e)));
    const moduli = (name: string, k: number | null, g: number | null, extra = "") =>
      row(name, `K ${fixed(k, 2)} GPa  G ${fixed(g, 2)} GPa${extra}`);
    if (e.voigt) lines.push(moduli("Voigt", e.voigt.bulk_modulus_gpa, e.voigt.shear_modulus_gpa));
    if (e.reuss) lines.push(moduli("Reuss", e.reuss.bulk_modulus_gpa, e.reuss.shear_modulus_gpa));
    if (e.hill)
      lines.push(
        moduli(
          "Hill",
          e.hill.bulk_modulus_gpa,
          e.hill.shear_modulus_gpa,
          `  E ${fixed(e.hill.young_modulus_gpa, 2)} GPa  ν ${fixed(e.hill.poisson_ratio, 2)}`,
        ),
      );
  }
  if (data?.bands) {
    const b = data.bands;
    const edges = bandEdges(b);
    lines.push(
      row(
        "Band structure",
        `${tickNames(b.ticks, job.inputFile).join(" → ")}, ${b.bands.length} bands${b.bands_beta ? " (α and β)" : ""}`,
        b.unit === "eV"
          ? edges
            ? `, gap ${fixed(edges.cbm - edges.vbm, 2)} eV`
            : ", no gap (metallic)"
          : ", phonons",
      ),
    );
  }
  if (data?.dos) {
    const d = data.dos;
    lines.push(
      row(
        "DOS",
        `${fixed(Math.min(...d.energies), 2)} to ${fixed(Math.max(...d.energies), 2)} ${d.unit === "eV" ? "eV from E_F" : "cm⁻¹"}, total${d.projections.length > 1 ? ` and ${d.projections.length - 1} projections` : ""}${d.total_beta ? " (α and β)" : ""}`,
      ),
    );
  }
  if (data) lines.push(row("Data files", data.files.join(", ")));
  out.push("results");
  for (const l of lines) out.push(`  ${plainText(l)}`.trimEnd());
  return out;
}
