/**
 * The simulated lab (syntheticMeshCluster.ts) in a process of its own, answering the runner's
 * kubectl calls over IPC: as a real cluster's state is not in the runner's process, the lab's is
 * not counted in the runner's memory. Forked by meshRunnerTiming.ts with the node count; answers
 * `{ id, args }` with `{ id, result }`.
 */
import { syntheticMeshCluster } from "./syntheticMeshCluster";

const run = syntheticMeshCluster(Number(process.argv[2]));

process.on("message", (message: { id: number; args: string[] }) => {
  void run(message.args, 0).then(
    (result) => process.send?.({ id: message.id, result }),
    (error: unknown) =>
      process.send?.({
        id: message.id,
        result: {
          code: 1,
          stdout: "",
          stderr: error instanceof Error ? error.message : String(error),
        },
      }),
  );
});
