// Tables for other programs: CSV (RFC 4180: a field with a comma, a quote or a line break is
// quoted, quotes doubled) and TSV (tabs and line breaks in a field become spaces: TSV has no
// quoting). Numbers are written as JavaScript prints them — exactly, so a reader gets them back.

export type Delimited = "csv" | "tsv";

export type Cell = string | number | boolean | null | undefined;

function csvField(cell: Cell): string {
  const text = cell === null || cell === undefined ? "" : String(cell);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function tsvField(cell: Cell): string {
  const text = cell === null || cell === undefined ? "" : String(cell);
  return text.replace(/[\t\r\n]+/g, " ");
}

/** The rows (the first is the header) as CSV or TSV text, one line each, ending with a newline. */
export function delimited(format: Delimited, rows: readonly (readonly Cell[])[]): string {
  const field = format === "csv" ? csvField : tsvField;
  const sep = format === "csv" ? "," : "\t";
  // "\n" line ends (not RFC 4180's CRLF): what Unix tools and Python's csv module read alike
  return rows.map((row) => `${row.map(field).join(sep)}\n`).join("");
}
