// Cycle detection for in-memory graphs (workflow files before anything is created). The store
// checks the same rule against the database with a recursive query when an edge is added.

/** Returns one cycle as a list of node names (first = last), or null when the graph is acyclic. */
export function findCycle(
  nodes: Iterable<string>,
  parentsOf: (node: string) => Iterable<string>,
): string[] | null {
  const state = new Map<string, 1 | 2>(); // 1 = on the current path, 2 = done
  const path: string[] = [];
  const visit = (node: string): string[] | null => {
    const s = state.get(node);
    if (s === 2) return null;
    if (s === 1) return [...path.slice(path.indexOf(node)), node];
    state.set(node, 1);
    path.push(node);
    for (const parent of parentsOf(node)) {
      const cycle = visit(parent);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(node, 2);
    return null;
  };
  for (const node of nodes) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return null;
}

/** Nodes in an order where every node comes after its parents (the graph must be acyclic). */
export function topologicalOrder(
  nodes: Iterable<string>,
  parentsOf: (node: string) => Iterable<string>,
): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (node: string) => {
    if (seen.has(node)) return;
    seen.add(node);
    for (const parent of parentsOf(node)) visit(parent);
    order.push(node);
  };
  for (const node of nodes) visit(node);
  return order;
}
