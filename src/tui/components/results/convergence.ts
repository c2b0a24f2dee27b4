// The SCF convergence (|ΔE| of every cycle CRYSTAL printed, log scale) and the optimisation's
// energy at each geometry point, as character plots.
import { energyChanges, plotSeries } from "../../plots.js";
import { asObject, heading, isNumber, type Line, line, numbersOf, span } from "./styled.js";

/** `live`: the run goes on, so what is not converged yet is "so far", not a verdict. */
export function scfLines(scf: unknown, opts: { width: number; plotHeight: number; live?: boolean }): Line[] {
  const s = asObject(scf);
  const energies = numbersOf(s?.energies_hartree);
  if (energies.length === 0) return [];
  const initial = isNumber(s?.initial_energy_hartree) ? s.initial_energy_hartree : null;
  const note = s?.converged === true ? "" : opts.live ? " — so far" : " — not converged";
  const out: Line[] = [...heading("SCF convergence", `|ΔE| per cycle (Ha, log scale)${note}`)];
  const plot = plotSeries(energyChanges(energies, initial), {
    width: opts.width,
    height: opts.plotHeight,
    log: true,
    xLabel: "cycle",
  });
  for (const l of plot) out.push(line(span(l, "data")));
  return out;
}

export function optLines(opt: unknown, opts: { width: number; plotHeight: number; live?: boolean }): Line[] {
  const o = asObject(opt);
  const energies = numbersOf(o?.energies_hartree);
  if (energies.length === 0) return [];
  const note = o?.converged === true ? "" : opts.live ? " — so far" : " — not converged";
  const out: Line[] = [...heading("Optimisation — energy per step", `(Ha, one point per geometry)${note}`)];
  for (const l of plotSeries(energies, { width: opts.width, height: opts.plotHeight, xLabel: "step" }))
    out.push(line(span(l, "good")));
  return out;
}
