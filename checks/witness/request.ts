import * as crypto from "node:crypto";
import { onePiece } from "../contract/text";

/** The query parameter that carries the run's token. */
export const WITNESS_PARAM = "pod-to-pod-run";

/**
 * A run's token, derived one-way from a script's nonce: the server learns the token from the
 * request, never the nonce that marks the script's own output lines.
 */
export function witnessToken(nonce: string): string {
  return crypto
    .createHash("sha256")
    .update(`pod-to-pod witness ${nonce}`)
    .digest("hex")
    .slice(0, 32);
}

/**
 * `path` with the token and the probe's name, so each logged request says which probe sent it. The
 * name is URL-encoded: the mesh's names carry node names and arrows (`pod/vm->p2p-node2`).
 */
export function witnessedPath(path: string, token: string, probe: string): string {
  return `${path}?${WITNESS_PARAM}=${token}&probe=${encodeURIComponent(probe)}`;
}

/** The request a probe sends, exactly as the server must log it: busybox sends `Host: host:port`. */
export interface ExpectedRequest {
  readonly method: "GET";
  readonly host: string;
  readonly uri: string;
}

/** The request behind `http://host:port` + witnessedPath(path, token, probe). */
export function expectedRequest(
  host: string,
  port: number,
  path: string,
  token: string,
  probe: string,
): ExpectedRequest {
  return {
    method: "GET",
    host: onePiece(`${host}:${port}`),
    uri: onePiece(witnessedPath(path, token, probe)),
  };
}
