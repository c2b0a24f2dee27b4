// Columns of text aligned for a terminal (the CLI's tables and the TUI's workflow aggregates): each
// cell padded to its column's widest, measured in characters (Δ and Å are one each), two spaces apart.

/** The rows as aligned lines; the last cell of a row is not padded, trailing spaces are dropped. */
export function table(rows: string[][]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) =>
          i === row.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - [...cell].length),
        )
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
