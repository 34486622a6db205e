/**
 * Maps `items` through `work`, at most `bound` at a time, results in the items' order: the mesh
 * runs one kubectl exec per node, and a hundred at once would swamp the API server and the kubelets.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  bound: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  return Promise.all(startBounded(items, bound, work));
}

/**
 * mapBounded's promises one by one, each settling when its own item is done: for a caller that
 * acts on one item's end before the others' (the pair's API reads, once the client's exec ended).
 */
export function startBounded<T, R>(
  items: readonly T[],
  bound: number,
  work: (item: T) => Promise<R>,
): Array<Promise<R>> {
  if (!Number.isInteger(bound) || bound < 1) {
    throw new Error(`the bound must be a whole number of at least 1, got ${bound}`);
  }
  const settle = items.map(() => {
    let resolve: (value: R) => void = () => {};
    let reject: (error: unknown) => void = () => {};
    const promise = new Promise<R>((yes, no) => ((resolve = yes), (reject = no)));
    return { promise, resolve, reject };
  });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const at = next++;
      await work(items[at]).then(settle[at].resolve, settle[at].reject);
    }
  };
  for (let i = 0; i < Math.min(bound, items.length); i++) {
    void worker();
  }
  return settle.map((s) => s.promise);
}
