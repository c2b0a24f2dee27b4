// The comparison of the selected jobs (`=` on the Jobs screen, the TUI's `crystal-tui job compare`):
// one row per job with its energy and ΔE to a reference — the lowest final energy, or the job the
// user chose with `r` (src/app/compare.ts decides which energies are final and may be one) — in the
// unit `u` cycles through, per cell or per atom (`p`); esc goes back to the list.
import { Box, Text } from "ink";
import { type ReactNode, useEffect, useState } from "react";
import {
  type Comparison,
  compareJobs,
  ENERGY_PER,
  type EnergyPer,
  perLabel,
  UnusableReference,
} from "../../app/compare.js";
import { ENERGY_UNITS, type EnergyUnit, UNIT_DECIMALS } from "../../domain/energy-units.js";
import { STATUS_SYMBOL } from "../../domain/status.js";
import { type Binding, useBindings } from "../bindings.js";
import { clip } from "../format.js";
import { useProject } from "../store-watch.js";

/** What the table is asked for: the unit, per what, and the chosen reference (null: the lowest). */
interface Asked {
  unit: EnergyUnit;
  per: EnergyPer;
  relativeTo: number | null;
}

interface CompareCtx {
  asked: Asked;
  /** Where `p` goes on from: the last "per" tried, also when the reference refused it. */
  perFrom: EnergyPer;
  /** The job under the cursor, when the table is shown. */
  current: number | null;
  ask: (next: Partial<Asked>) => void;
  move: (by: number) => void;
  close: () => void;
}

export const COMPARE_BINDINGS: readonly Binding<CompareCtx>[] = [
  {
    on: ["up", "down", "j", "k"],
    does: "move",
    footer: "move",
    run: (c, input, key) => c.move(key.downArrow || input === "j" ? 1 : -1),
  },
  {
    on: ["u"],
    does: "next energy unit (Ha, eV, kJ/mol, meV)",
    footer: "unit",
    run: (c) =>
      c.ask({ unit: ENERGY_UNITS[(ENERGY_UNITS.indexOf(c.asked.unit) + 1) % ENERGY_UNITS.length]! }),
  },
  {
    on: ["p"],
    does: "energy per cell / per atom / per formula unit",
    footer: "per cell/atom/f.u.",
    run: (c) => c.ask({ per: ENERGY_PER[(ENERGY_PER.indexOf(c.perFrom) + 1) % ENERGY_PER.length]! }),
  },
  {
    on: ["r"],
    does: "ΔE relative to the job under the cursor (r on it again: to the lowest)",
    footer: "relative to",
    when: (c) => c.current !== null,
    run: (c) => c.ask({ relativeTo: c.asked.relativeTo === c.current ? null : c.current }),
  },
  {
    on: ["0"],
    does: "ΔE relative to the lowest final energy again",
    footer: "to lowest",
    when: (c) => c.asked.relativeTo !== null,
    run: (c) => c.ask({ relativeTo: null }),
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
  const [asked, setAsked] = useState<Asked>({ unit: "Ha", per: "cell", relativeTo: null });
  const [result, setResult] = useState<Comparison | string | null>(null);
  // a reference that cannot be one (no energy per atom, not final) is said; the table stays as it was
  const [notice, setNotice] = useState<string | null>(null);
  const [cursor, setCursor] = useState(0);
  // a "per" the reference refused is still where the next p goes on from, so p reaches every one
  const [perTried, setPerTried] = useState<EnergyPer | null>(null);
  const load = (next: Asked) => {
    void Promise.resolve()
      .then(() =>
        compareJobs(store, ids, {
          unit: next.unit,
          per: next.per,
          ...(next.relativeTo !== null ? { relativeTo: next.relativeTo } : {}),
        }),
      )
      .then(
        (r) => {
          setAsked(next);
          setResult(r);
          setNotice(null);
          setPerTried(null);
        },
        (err: Error) => {
          if (err instanceof UnusableReference) {
            setNotice(`${err.reason} — choose another with r`);
            setPerTried(next.per);
          } else setResult(err.message);
        },
      );
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: the ids are fixed while the view is open
  useEffect(() => load(asked), []);
  const rows = typeof result === "object" && result !== null ? result.jobs : [];
  const at = Math.min(cursor, Math.max(0, rows.length - 1));
  useBindings(
    "compare",
    COMPARE_BINDINGS,
    {
      asked,
      perFrom: perTried ?? asked.per,
      current: rows[at]?.id ?? null,
      ask: (next) => load({ ...asked, ...next }),
      move: (by) => setCursor(Math.max(0, Math.min(rows.length - 1, at + by))),
      close: onClose,
    },
    { global: true },
  );

  const unit = `${asked.unit}${perLabel(
    asked.per,
    rows.map((j) => j.formula),
  )}`;
  const perWords = { cell: "cell", atom: "atom", formula: "formula unit" }[asked.per];
  const nameWidth = Math.max(8, Math.min(24, width - 76));
  const header = `  ${"ID".padStart(6)}  ${"NAME".padEnd(nameWidth)}  ${"STATUS".padEnd(12)}  ${`ENERGY (${unit})`.padStart(20)}  ${`ΔE (${unit})`.padStart(16)}  ${"GAP eV".padStart(7)}${asked.per === "formula" ? "  CELL" : ""}`;
  // per formula unit, each row says what its cell holds (2×NiO): the unit divided by is visible
  const cellOf = (j: Comparison["jobs"][number]) =>
    asked.per === "formula" ? `  ${j.formula ? `${j.formulaUnits}×${j.formula}` : "—"}` : "";
  let body: ReactNode;
  let title = `Comparing ${ids.length} jobs — energy per ${perWords} in ${asked.unit}`;
  if (result === null) body = <Text dimColor>comparing…</Text>;
  else if (typeof result === "string") body = <Text color="red">{result}</Text>;
  else {
    const ref = result.reference;
    const refJob = ref ? result.jobs.find((j) => j.id === ref.id) : undefined;
    if (ref)
      title += ref.chosen
        ? ` — ΔE relative to job ${ref.id} (${refJob?.name ?? "?"})`
        : " — ΔE relative to the lowest";
    const shown = Math.max(1, height - 5);
    const first = Math.max(0, Math.min(at - shown + 1, rows.length - shown));
    body = (
      <>
        <Text bold wrap="truncate-end">
          {header}
        </Text>
        {rows.slice(first, first + shown).map((j, i) => (
          <Text key={j.id} inverse={first + i === at} wrap="truncate-end">
            {`${first + i === at ? "›" : " "}${ref?.id === j.id ? "*" : " "}${String(j.id).padStart(6)}  ${clip(j.name, nameWidth).padEnd(nameWidth)}  ${`${STATUS_SYMBOL[j.status]} ${j.status}`.padEnd(12)}  ${`${fmt(j.energy, asked.unit)}${j.final || j.energy === null ? " " : "~"}`.padStart(20)}  ${fmt(j.delta, asked.unit, true).padStart(16)}  ${(j.gapEv === null ? "—" : j.gapEv.toFixed(3)).padStart(7)}${cellOf(j)}`}
          </Text>
        ))}
        <Text dimColor wrap="truncate-end">
          {ref
            ? `* ΔE relative to job ${ref.id}${ref.chosen ? " (chosen with r; 0 for the lowest)" : " (the lowest final energy)"}; ~ marks an energy that is not final`
            : `no job has a final energy${asked.per === "cell" ? "" : ` per ${perWords}`}: no ΔE`}
        </Text>
        {notice && (
          <Text color="yellow" wrap="truncate-end">
            {notice}
          </Text>
        )}
      </>
    );
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate-end">
        {title}
      </Text>
      {body}
    </Box>
  );
}
