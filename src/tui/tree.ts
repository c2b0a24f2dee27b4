// A workflow's steps as a tree drawn with box characters: each step under the first parent it waits
// for (a step waiting for several notes the others), roots in creation order.

export interface TreeInput {
  id: number;
  parents: number[];
}

export interface TreeLine<T extends TreeInput> {
  node: T;
  /** "├─ ", "│  └─ " … to print before the node. */
  prefix: string;
  /** Other parents of a step with several. */
  alsoAfter: number[];
}

export function buildTree<T extends TreeInput>(nodes: readonly T[]): TreeLine<T>[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const children = new Map<number, T[]>();
  const roots: T[] = [];
  for (const n of nodes) {
    const inWorkflow = n.parents.filter((p) => byId.has(p)).sort((a, b) => a - b);
    const first = inWorkflow[0];
    if (first === undefined) roots.push(n);
    else children.set(first, [...(children.get(first) ?? []), n]);
  }
  const out: TreeLine<T>[] = [];
  const seen = new Set<number>();
  const walk = (n: T, lead: string, branch: string) => {
    if (seen.has(n.id)) return;
    seen.add(n.id);
    const others = n.parents
      .filter((p) => byId.has(p))
      .sort((a, b) => a - b)
      .slice(1);
    out.push({ node: n, prefix: lead + branch, alsoAfter: others });
    const kids = children.get(n.id) ?? [];
    const nextLead = lead + (branch === "" ? "" : branch === "├─ " ? "│  " : "   ");
    for (const [i, k] of kids.entries()) walk(k, nextLead, i === kids.length - 1 ? "└─ " : "├─ ");
  };
  for (const r of roots) walk(r, "", "");
  // a cycle cannot be stored, but never lose a step if one were
  for (const n of nodes) if (!seen.has(n.id)) walk(n, "", "");
  return out;
}
