// Everything the Results tab shows of one job, in the order a chemist reads it: the summary, the
// frequency table or the elastic tensor, the band structure and the DOS (from the data files the
// properties run wrote), the SCF and optimisation plots, the final geometry and the Mulliken
// populations. A pure function of the result, the data files and the screen size.

import type { BandStructure, DensityOfStates } from "../../../crystal/properties-data.js";
import type { CrystalResult } from "../../../crystal/result.js";
import type { JobStatus } from "../../../domain/status.js";
import { bandLines } from "./bands.js";
import { bandDosLines, SIDE_BY_SIDE_WIDTH } from "./bands-dos.js";
import { optLines, scfLines } from "./convergence.js";
import { dosLines } from "./dos.js";
import { elasticLines } from "./elastic.js";
import { frequencyLines } from "./frequencies.js";
import { geometryLines } from "./geometry.js";
import { mullikenLines } from "./mulliken.js";
import { deckProjections } from "./properties-deck.js";
import { elasticOf, frequenciesOf, geometryOf, mullikenOf, propertiesOf } from "./sections.js";
import { type Line, line, span } from "./styled.js";
import { summaryLines } from "./summary.js";

/** The band structure and DOS read from a job's data files, and which files they came from. */
export interface ResultData {
  bands: BandStructure | null;
  dos: DensityOfStates | null;
  /** The files read ("nacl.f25"), for the note under the plots. */
  files: string[];
}

export interface ResultsInput {
  results: CrystalResult | null;
  jobStatus: JobStatus | null;
  live: boolean;
  data?: ResultData | null;
  /** The job's deck (a properties deck names the k points and the projections). */
  deck?: string | null;
  /** Results a Phase-1 tool recorded in its own shape (not the parser's): shown key by key. */
  legacy?: Record<string, unknown> | null;
}

export interface ResultsView {
  lines: Line[];
  /** Where each section starts (its title line), for jumping between them. */
  sections: { title: string; line: number }[];
}

export function resultsView(input: ResultsInput, size: { width: number; height: number }): ResultsView {
  const lines: Line[] = [];
  const sections: ResultsView["sections"] = [];
  const add = (title: string, part: Line[]) => {
    if (part.length === 0) return;
    // a part starts with a blank line, then its title
    sections.push({ title, line: lines.length + (part[0]!.length === 0 ? 1 : 0) });
    lines.push(...part);
  };
  const { results } = input;
  const data = input.data ?? null;
  if (!results && input.legacy) {
    lines.push(line("Results recorded by the earlier tool (not read by this parser):"));
    for (const [key, value] of Object.entries(input.legacy))
      lines.push(line(`  ${key}: ${typeof value === "string" ? value : JSON.stringify(value)}`));
    return { lines, sections };
  }
  if (!results && !data?.bands && !data?.dos) {
    lines.push(
      line("No results yet: they are read from the CRYSTAL output when the job runs and when it ends."),
    );
    return { lines, sections };
  }
  const width = Math.max(30, size.width);
  const plotHeight = Math.max(4, Math.min(16, size.height - 5));
  if (results) add("Summary", summaryLines({ results, jobStatus: input.jobStatus, live: input.live }));
  const frequencies = frequenciesOf(results?.frequencies);
  if (frequencies) add("Frequencies", frequencyLines(frequencies, { width }));
  const elastic = elasticOf(results?.elastic);
  if (elastic) add("Elastic constants", elasticLines(elastic));
  if (data?.bands) {
    const bandOpts = { width, height: Math.max(6, Math.min(24, size.height - 6)), deck: input.deck };
    // wide enough: the total DOS beside the bands, on their energy axis
    add(
      "Band structure",
      data.dos && width >= SIDE_BY_SIDE_WIDTH
        ? bandDosLines(data.bands, data.dos, bandOpts)
        : bandLines(data.bands, bandOpts),
    );
  }
  if (data?.dos)
    add(
      "Density of states",
      dosLines(data.dos, {
        width,
        height: Math.max(4, Math.min(16, size.height - 7)),
        projectionNames: input.deck ? (deckProjections(input.deck) ?? undefined) : undefined,
      }),
    );
  if (data && (data.bands || data.dos) && data.files.length > 0)
    lines.push(line(span(`  read from ${data.files.join(", ")}`, "dim")));
  const properties = propertiesOf(results?.properties);
  if (properties && !data?.bands && !data?.dos) {
    const wrote = properties.kinds.filter((k) => k === "BAND" || k === "DOSS");
    if (wrote.length > 0)
      lines.push(
        [],
        line(
          input.live
            ? span(
                `${wrote.join(" and ")} so far: the plots come when the run ends and its fort.25 / BAND.DAT / DOSS.DAT are brought back.`,
                "dim",
              )
            : span(
                `The run computed ${wrote.join(" and ")}, but no fort.25, BAND.DAT or DOSS.DAT is in the job folder to plot.`,
                "warn",
              ),
        ),
      );
  }
  add("SCF convergence", scfLines(results?.scf, { width, plotHeight, live: input.live }));
  add("Optimisation", optLines(results?.opt, { width, plotHeight, live: input.live }));
  const geometry = geometryOf(results?.geometry);
  if (geometry) add("Final geometry", geometryLines(geometry));
  const mulliken = mullikenOf(results?.mulliken);
  if (mulliken) add("Mulliken populations", mullikenLines(mulliken, geometry));
  return { lines, sections };
}
