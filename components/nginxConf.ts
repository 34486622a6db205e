import { createHash } from "node:crypto";
import { IDENTITY_PATH, LARGE_PATH } from "../checks/contract/identity";

/** Where the server pod mounts the Downward API file with its own UID. */
export const IDENTITY_DIR = "/etc/pod-to-pod-identity";
/** The file in it. */
export const IDENTITY_FILE = "uid";

/** One request as the lab's servers log it: a JSON line (checks/witness/accessLog.ts reads it). */
const LOG_ENTRY =
  '{"remote":"$remote_addr","method":"$request_method","host":"$http_host","uri":"$request_uri","status":"$status"}';

/**
 * The nginx configuration the server pod runs with. It lets nginx run as a non-root user on a
 * read-only root filesystem: the pid file, temp paths and logs all go to /tmp or the console.
 * It works with the official nginx image and with Debian's nginx package alike, since both serve
 * the stock welcome page from /usr/share/nginx/html. On the lab's own path it answers with the UID of
 * its pod, from the file the kubelet writes (see checks/contract/identity.ts), so the checks can tell this
 * pod from any other nginx; and it logs every request as a JSON line, the server's own witness of
 * what it served.
 */
export function renderNginxConf(
  port: number,
  alsoListen: readonly number[] = [],
  /** A file the access log goes to as well (an echo server's, for its reporter). */
  alsoLogTo?: string,
): string {
  return `worker_processes 1;
pid /tmp/nginx.pid;
# The error log to a file of its own: a request can make nginx write raw text into it, and the
# container's log stream must carry the access log alone (the checks' witness, see
# checks/witness/accessLog.ts). \`kubectl exec <pod> -- cat /tmp/nginx-error.log\` shows it.
error_log /tmp/nginx-error.log warn;
daemon off;

events {
  worker_connections 256;
}

http {
  types {
    text/html html htm;
    text/css css;
    image/png png;
  }
  default_type application/octet-stream;
  # One JSON line per request: the checks read it back as the server's witness of what it served,
  # to whom (see checks/witness/accessLog.ts).
  log_format pod_to_pod escape=json '${LOG_ENTRY}';
  access_log /dev/stdout pod_to_pod;
${
  alsoLogTo
    ? `  # The same, each line after its time, to a file its reporter reads from a run's start on.
  log_format pod_to_pod_timed escape=json '$msec ${LOG_ENTRY}';
  access_log ${alsoLogTo} pod_to_pod_timed;
`
    : ""
}  client_body_temp_path /tmp/client_body;
  proxy_temp_path /tmp/proxy;
  fastcgi_temp_path /tmp/fastcgi;
  uwsgi_temp_path /tmp/uwsgi;
  scgi_temp_path /tmp/scgi;

  server {
    listen ${port};
${alsoListen.map((extra) => `    listen ${extra};\n`).join("")}    root /usr/share/nginx/html;
    index index.html;

    location = ${IDENTITY_PATH} {
      default_type text/plain;
      alias ${IDENTITY_DIR}/${IDENTITY_FILE};
    }

    # A large body for the path MTU check: many full-size packets (see checks/contract/identity.ts).
    location = ${LARGE_PATH} {
      default_type application/octet-stream;
      alias /usr/sbin/nginx;
    }
  }
}
`;
}

/**
 * The name of the ConfigMap that holds the nginx.conf of `owner` (the Pod or DaemonSet that mounts
 * it): the owner's name, `-conf-` and a hash of the conf, as kustomize's configMapGenerator names
 * them. The same conf has the same name in every preview and update, so two previews of one commit
 * show the same diff (an auto-name took a new random suffix each time); a changed conf has a new
 * name, so the new ConfigMap is created before the old one goes and the pod that mounts it is
 * replaced with it.
 */
export function nginxConfMapName(
  owner: string,
  port: number,
  alsoListen: readonly number[] = [],
  alsoLogTo?: string,
): string {
  const hash = createHash("sha256")
    .update(renderNginxConf(port, alsoListen, alsoLogTo))
    .digest("hex");
  return `${owner}-conf-${hash.slice(0, 10)}`;
}
