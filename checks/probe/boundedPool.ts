/**
 * Maps `items` through `work`, at most `bound` at a time, results in the items' order: the mesh
 * runs one kubectl exec per node, and a hundred at once would swamp the API server and the kubelets.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  bound: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(bound) || bound < 1) {
    throw new Error(`the bound must be a whole number of at least 1, got ${bound}`);
  }
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const at = next++;
      results[at] = await work(items[at]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(bound, items.length) }, worker));
  return results;
}
