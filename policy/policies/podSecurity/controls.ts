import { appArmor } from "./appArmor";
import { capabilities } from "./capabilities";
import { Control } from "./control";
import { hostNamespaces } from "./hostNamespaces";
import { hostPath } from "./hostPath";
import { hostPorts } from "./hostPorts";
import { hostProbes } from "./hostProbes";
import { hostProcess } from "./hostProcess";
import { privileged } from "./privileged";
import { privilegeEscalation } from "./privilegeEscalation";
import { procMount } from "./procMount";
import { runAsNonRoot } from "./runAsNonRoot";
import { runAsUser } from "./runAsUser";
import { seccomp } from "./seccomp";
import { seLinux } from "./seLinux";
import { sysctls } from "./sysctls";
import { volumeTypes } from "./volumeTypes";

/** Every control of the Pod Security Standards, baseline's then restricted's, as the standard lists them. */
export const podSecurityControls: readonly Control[] = [
  hostProcess,
  hostNamespaces,
  privileged,
  capabilities,
  hostPath,
  hostPorts,
  hostProbes,
  appArmor,
  seLinux,
  procMount,
  seccomp,
  sysctls,
  volumeTypes,
  privilegeEscalation,
  runAsNonRoot,
  runAsUser,
];
