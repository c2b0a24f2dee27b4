// JSON columns written by other tools (the Phase-1 Python tool, hand edits) may not parse; they are
// kept as text rather than breaking a listing.
export function parseJsonObject(text: string | null | undefined): Record<string, unknown> | null {
  if (text === null || text === undefined || text === "") return null;
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === "object" && !Array.isArray(value))
      return value as Record<string, unknown>;
    return { value };
  } catch {
    return { raw: text };
  }
}

export function parseJsonArray(text: string | null | undefined): unknown[] {
  if (!text) return [];
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}
