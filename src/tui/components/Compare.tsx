// The comparison of the selected jobs (`=` on the Jobs screen, the TUI's `crystal-tui job compare`):
// one row per job with its energy and ΔE to the lowest final energy (src/app/compare.ts decides the
// reference and which energies are final), in the unit `u` cycles through; esc goes back to the list.
import { Box, Text } from "ink";
import { type ReactNode, useEffect, useState } from "react";
import { type Comparison, compareJobs } from "../../app/compare.js";
import { ENERGY_UNITS, type EnergyUnit, UNIT_DECIMALS } from "../../domain/energy-units.js";
import { STATUS_SYMBOL } from "../../domain/status.js";
import { type Binding, useBindings } from "../bindings.js";
import { clip } from "../format.js";
import { useProject } from "../store-watch.js";

interface CompareCtx {
  unit: EnergyUnit;
  setUnit: (u: EnergyUnit) => void;
  close: () => void;
}

export const COMPARE_BINDINGS: readonly Binding<CompareCtx>[] = [
  {
    on: ["u"],
    does: "next energy unit (Ha, eV, kJ/mol, meV)",
    footer: "unit",
    run: (c) => c.setUnit(ENERGY_UNITS[(ENERGY_UNITS.indexOf(c.unit) + 1) % ENERGY_UNITS.length]!),
  },
  { on: ["esc"], does: "back to the job list", footer: "back", run: (c) => c.close() },
];

const fmt = (v: number | null, unit: EnergyUnit, signed = false) =>
  v === null ? "—" : `${signed && v > 0 ? "+" : ""}${v.toFixed(UNIT_DECIMALS[unit])}`;

export function Compare({
  ids,
  width,
  height,
  onClose,
}: {
  ids: readonly number[];
  width: number;
  height: number;
  onClose: () => void;
}) {
  const { store } = useProject();
  const [unit, setUnit] = useState<EnergyUnit>("Ha");
  const [result, setResult] = useState<Comparison | string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the ids are fixed while the view is open
  useEffect(() => {
    let live = true;
    void Promise.resolve()
      .then(() => compareJobs(store, ids, { unit }))
      .then(
        (r) => live && setResult(r),
        (err: Error) => live && setResult(err.message),
      );
    return () => {
      live = false;
    };
  }, [unit]);
  useBindings("compare", COMPARE_BINDINGS, { unit, setUnit, close: onClose }, { global: true });

  const nameWidth = Math.max(8, Math.min(24, width - 70));
  const header = `${"ID".padStart(6)}  ${"NAME".padEnd(nameWidth)}  ${"STATUS".padEnd(12)}  ${`ENERGY (${unit})`.padStart(18)}  ${`ΔE (${unit})`.padStart(14)}  ${"GAP eV".padStart(7)}`;
  let body: ReactNode;
  if (result === null) body = <Text dimColor>comparing…</Text>;
  else if (typeof result === "string") body = <Text color="red">{result}</Text>;
  else {
    const ref = result.reference;
    body = (
      <>
        <Text bold wrap="truncate-end">
          {header}
        </Text>
        {result.jobs.slice(0, Math.max(1, height - 4)).map((j) => (
          <Text key={j.id} wrap="truncate-end">
            {`${String(j.id).padStart(6)}  ${clip(j.name, nameWidth).padEnd(nameWidth)}  ${`${STATUS_SYMBOL[j.status]} ${j.status}`.padEnd(12)}  ${`${fmt(j.energy, unit)}${j.final || j.energy === null ? " " : "~"}`.padStart(18)}  ${fmt(j.delta, unit, true).padStart(14)}  ${(j.gapEv === null ? "—" : j.gapEv.toFixed(3)).padStart(7)}`}
          </Text>
        ))}
        <Text dimColor wrap="truncate-end">
          {ref
            ? `ΔE relative to job ${ref.id} (the lowest final energy); ~ marks an energy that is not final`
            : "no job has a final energy: no ΔE"}
        </Text>
      </>
    );
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate-end">
        {`Comparing ${ids.length} jobs — energy per cell in ${unit}`}
      </Text>
      {body}
    </Box>
  );
}
