/**
 * The simulated lab (syntheticMeshCluster.ts) in a process of its own, answering the runner's
 * kubectl calls over IPC: as a real cluster's state is not in the runner's process, the lab's is
 * not counted in the runner's memory. Forked by meshRunnerTiming.ts with the node count.
 */
import { serveLabOverIpc } from "./labOverIpc";
import { syntheticMeshCluster } from "./syntheticMeshCluster";

const run = syntheticMeshCluster(Number(process.argv[2]));

serveLabOverIpc((args) => run(args, 0));
