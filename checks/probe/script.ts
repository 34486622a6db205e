import * as crypto from "node:crypto";

/**
 * The one script the runner sends into any probing pod (the client, the stranger, every mesh
 * client and node probe): the pod's probes as data (jobs of steps), rendered into busybox sh.
 *
 * Jobs run side by side, `parallelism` at a time; a job's steps run in order, and a step may be a
 * group of jobs run together, or wait for an earlier probe of its job to have passed (a path that
 * carries nothing has nothing to say about its MTU). Each probe writes its section to its own file
 * in a private folder (/dev/shm: memory, which every Kubernetes container has, even with a
 * read-only root filesystem), and the script prints them in declaration order once all are done,
 * or at its deadline, when a watchdog stops what still runs and the script prints a "not finished"
 * section for each probe that had not written its own. So whatever hangs costs only its own
 * result, and no run goes past the deadline. Where no folder can be made, the jobs run one after
 * the other, printing as they go.
 *
 * Every section is one line, `<nonce> <name> rc=… ms=… tries=… out=<base64>`, `nonce` being the
 * run's own marker (see newRunNonce); a last line `<nonce> end` says the script ran to its end.
 *
 * Only busybox applets are used. busybox's `timeout` stops only the process it runs, so probes
 * always put it around the network command itself, never around a shell (see probe/commands.ts).
 */

/** One probe: its section's name, how often it is tried before it fails, its shell command. */
export interface Probe {
  readonly name: string;
  readonly attempts: number;
  readonly command: string;
}

/** A step of a job: a probe, or jobs run together; either may need an earlier probe's pass. */
export type Step =
  | { readonly probe: Probe; readonly onlyIf?: string; readonly skipNote?: string }
  | {
      readonly together: readonly Job[];
      readonly onlyIf?: string;
      /** What the skipped probes' sections say; without it they print none. */
      readonly skipNote?: string;
    };

/** Steps run in order. */
export type Job = readonly Step[];

/** Everything one pod runs. */
export interface ScriptSpec {
  /** The run's marker (newRunNonce). */
  readonly nonce: string;
  readonly jobs: readonly Job[];
  /** At most this many jobs at once. */
  readonly parallelism: number;
  /** The script stops what still runs after this many seconds. */
  readonly deadlineSeconds: number;
  /** Shell functions the probes' commands call (e.g. commands.ts's service_wait). */
  readonly functions?: readonly string[];
}

/**
 * A fresh, unguessable marker for one run of a script: only lines that start with it are the
 * script's own. Each probe's output travels base64-encoded on its section's single line, so nothing
 * a probe receives (a web page, a DNS answer) can start a line, let alone one with the marker.
 */
export function newRunNonce(): string {
  return crypto.randomBytes(16).toString("hex");
}

/** Quotes a value for a POSIX shell: every value in a script passes through here. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const NAME = /^[a-z][a-z0-9-]*$/;

/** Every probe of a job list, in declaration order: the order sections are printed in. */
export function probesOf(jobs: readonly Job[]): Probe[] {
  return jobs.flatMap((job) =>
    job.flatMap((step) => ("probe" in step ? [step.probe] : probesOf(step.together))),
  );
}

/** The shell variable holding a probe's exit status within its job. */
function rcVariable(name: string): string {
  return `rc_${name.replace(/-/g, "_")}`;
}

/**
 * The shell variable holding a probe's wall time (ms) within its job: a later step of the job may
 * derive a bound from it (the stranger's refusals, from its request to the API).
 */
export function msVariable(name: string): string {
  return `ms_${name.replace(/-/g, "_")}`;
}

function renderSteps(steps: Job, indent: string): string[] {
  const lines: string[] = [];
  for (const step of steps) {
    const body =
      "probe" in step
        ? [
            `probe ${step.probe.name} ${step.probe.attempts} ${shellQuote(step.probe.command)}; ${rcVariable(step.probe.name)}=$?; ${msVariable(step.probe.name)}=$((now - start))`,
          ]
        : [
            ...step.together.map((job) => `bg eval ${shellQuote(renderSteps(job, "").join("\n"))}`),
            "wait",
          ];
    if (step.onlyIf === undefined) {
      lines.push(...body.map((line) => indent + line));
      continue;
    }
    const skipped =
      step.skipNote === undefined
        ? [":"]
        : probesOf("probe" in step ? [[step]] : step.together).map(
            (probe) => `skip ${probe.name} ${shellQuote(step.skipNote as string)}`,
          );
    lines.push(
      `${indent}if [ "\${${rcVariable(step.onlyIf)}:-1}" -eq 0 ]; then`,
      ...body.map((line) => `${indent}  ${line}`),
      `${indent}else`,
      ...skipped.map((line) => `${indent}  ${line}`),
      `${indent}fi`,
    );
  }
  return lines;
}

/** Renders a pod's probes as one busybox sh script. */
export function buildScript(spec: ScriptSpec): string {
  const { jobs, parallelism, deadlineSeconds } = spec;
  if (!Number.isInteger(deadlineSeconds) || deadlineSeconds < 1) {
    throw new Error(
      `a script's deadline must be a whole number of seconds, got ${deadlineSeconds}`,
    );
  }
  if (!Number.isInteger(parallelism) || parallelism < 1) {
    throw new Error(`a script's parallelism must be a positive whole number, got ${parallelism}`);
  }
  const names = probesOf(jobs).map((probe) => probe.name);
  for (const name of names) {
    if (!NAME.test(name) || names.indexOf(name) !== names.lastIndexOf(name)) {
      throw new Error(`a probe's name must be unique and of [a-z0-9-], got "${name}"`);
    }
  }
  const spawns = jobs.flatMap((_, at) => [
    `spawn job_${at}`,
    ...((at + 1) % parallelism === 0 && at + 1 < jobs.length ? ["batch"] : []),
  ]);
  return (
    [
      ...scriptPreamble(spec.nonce),
      ...(spec.functions ?? []),
      'skip() { section "$1" 1 0 0 "$2"; }',
      ...parallelRunner(),
      ...jobs.flatMap((job, at) => [`job_${at}() {`, ...renderSteps(job, "  "), "}"]),
      "collect() {",
      '  from=$sections_dir; sections_dir=""',
      `  for name in ${names.join(" ")}; do`,
      '    if [ -f "$from/$name" ] && read -r line < "$from/$name"; then',
      "      printf '%s\\n' \"$line\"",
      '    elif [ -f "$from/deadline" ]; then',
      `      stamp; section "$name" 124 "$((now - script_start))" 0 ${shellQuote(`not finished within the script's bound of ${deadlineSeconds} s`)}`,
      "    fi",
      "  done",
      '  rm -rf "$from"',
      "}",
      "stamp; script_start=$now",
      `watch ${deadlineSeconds}`,
      ...spawns,
      "finish",
      `printf '%s end\\n' "$nonce"`,
    ].join("\n") + "\n"
  );
}

/**
 * Running jobs side by side: `spawn` starts a job in the background (its pid into the folder's
 * pids file) and `bg` a group's job within one; `batch` waits for what runs before more start;
 * `watch` starts the watchdog that, at the deadline, marks the run cut off and stops every job;
 * `finish` waits for the jobs and the watchdog, then prints what they wrote (collect). Where no
 * private folder could be made, every job runs in turn and `section` prints at once.
 */
function parallelRunner(): string[] {
  return [
    'sections_dir=$(mktemp -d /dev/shm/pod-to-pod.XXXXXX 2>/dev/null) || sections_dir=""',
    'pids=""',
    // A job's stdout and stderr are not the exec's: a process a stopped probe leaves behind must
    // not hold the exec's streams open (kubectl would wait for it).
    'bg() { if [ -n "$sections_dir" ]; then "$@" >/dev/null 2>&1 & kids="$kids $!"; else "$@"; fi; }',
    "spawn() {",
    '  if [ -z "$sections_dir" ]; then "$@"; return; fi',
    '  [ -f "$sections_dir/deadline" ] && return',
    '  ( kids=""; trap \'kill $kids 2>/dev/null; exit 143\' TERM; "$@" ) >/dev/null 2>&1 &',
    '  pids="$pids $!"; echo "$!" >> "$sections_dir/.pids"',
    "}",
    // A watchdog's USR1 ends a `wait` early; the loop waits again for what is left.
    // After the deadline nothing is waited for: a job busy in a probe stops only once it returns.
    "batch() {",
    '  [ -n "$sections_dir" ] || return 0',
    '  for p in $pids; do [ -f "$sections_dir/deadline" ] || wait "$p"; done',
    '  pids=""',
    "}",
    "watch() {",
    '  [ -n "$sections_dir" ] || return 0',
    "  trap : USR1",
    '  ( trap \'kill "$s" 2>/dev/null; exit 0\' TERM; sleep "$1" & s=$!; wait "$s"; : > "$sections_dir/deadline"; kill $(cat "$sections_dir/.pids" 2>/dev/null) 2>/dev/null; kill -USR1 $$ ) >/dev/null 2>&1 &',
    "  watchdog=$!",
    "}",
    "finish() {",
    '  [ -n "$sections_dir" ] || return 0',
    "  batch",
    '  kill "$watchdog" 2>/dev/null; wait "$watchdog" 2>/dev/null',
    "  trap - USR1",
    "  collect",
    "}",
  ];
}

/**
 * The most a probe's output may be, in bytes (a lab server's page and identity are under 1 KiB, a
 * node's `ip addr` with a few hundred pods under 128 KiB): what is past it is cut as it streams.
 */
export const OUTPUT_BOUND_BYTES = 256 * 1024;

/** The status of a probe whose output was cut at OUTPUT_BOUND_BYTES: SIGPIPE's, as its command got. */
export const CUT_RC = 141;

/**
 * What every script starts with: the run's nonce, a clock, the encoded section line and the probe
 * loop (a failing probe is tried again a second later, up to its attempts).
 */
export function scriptPreamble(nonce: string): string[] {
  if (!/^[0-9a-f]{32}$/.test(nonce)) {
    throw new Error(`the pod script's nonce must be 32 hex digits, got "${nonce}"`);
  }
  return [
    `nonce=${nonce}`,
    // The clock in milliseconds, into $now, from /proc/uptime (10 ms steps) read by the shell
    // itself: no process to start, which counts in a client limited to a tenth of a CPU.
    "stamp() {",
    "  read -r up _ < /proc/uptime; cs=${up#*.}; cs=${cs#0}; now=$((${up%.*} * 1000 + cs * 10))",
    "}",
    // The output goes out encoded, on the section's own line: it can hold any bytes, newlines and
    // markers included, and still not end the line.
    "section() {",
    `  line="$nonce $1 rc=$2 ms=$3 tries=$4 out=$(printf '%s' "$5" | base64 -w 0)"`,
    '  if [ -n "${sections_dir:-}" ]; then printf \'%s\\n\' "$line" > "$sections_dir/$1"; else printf \'%s\\n\' "$line"; fi',
    "}",
    // Each try's output is cut past OUTPUT_BOUND_BYTES as it streams: a server that answers without
    // end would otherwise fill the shell's memory until the kernel kills a process of the pod, and
    // other probes' results with it. The command's own status comes back through a file of the
    // private folder (no pipefail: POSIX sh has none), written after the command's own subshell
    // (a command may `exit`); without that folder the output is taken whole.
    "probe() {",
    "  name=$1; attempts=$2; cmd=$3; tries=0",
    "  stamp; start=$now",
    "  while :; do",
    "    tries=$((tries + 1))",
    '    if [ -n "${sections_dir:-}" ]; then',
    '      rcf="$sections_dir/.rc-$name"; rm -f "$rcf"',
    `      out=$( { (eval "$cmd") 2>&1; echo "$?" > "$rcf"; } | head -c ${OUTPUT_BOUND_BYTES + 1} )`,
    `      rc=255; [ -f "$rcf" ] && read -r rc < "$rcf"; [ "\${#out}" -gt ${OUTPUT_BOUND_BYTES} ] && rc=${CUT_RC}`,
    "    else",
    '      out=$(eval "$cmd" 2>&1); rc=$?',
    "    fi",
    '    if [ "$rc" -eq 0 ] || [ "$tries" -ge "$attempts" ]; then break; fi',
    "    sleep 1",
    "  done",
    "  stamp",
    '  section "$name" "$rc" "$((now - start))" "$tries" "$out"',
    '  return "$rc"',
    "}",
  ];
}

/** The raw output of one probe. */
export interface Section {
  /** Exit status of the probe (124 or 143 when `timeout` or the deadline stopped it). */
  readonly rc: number;
  /** Wall time the probe took, in milliseconds, all tries included. */
  readonly ms: number;
  /** How many times it ran (0: it was not asked, and its output says why). */
  readonly tries: number;
  /** Its combined stdout and stderr. */
  readonly output: string;
}

/** The sections of one run, and whether the script reached its end. */
export interface ScriptOutput {
  /** Each probe's section, by name. */
  readonly sections: ReadonlyMap<string, Section>;
  /** Whether the script printed its closing line: false when it was cut off. */
  readonly complete: boolean;
}

/** Raised when a line carries the run's marker but is not one the script prints. */
export class MalformedScriptOutputError extends Error {}

const SECTION_LINE = /^(\S+) rc=(\d+) ms=(-?\d+) tries=(\d+) out=([A-Za-z0-9+/]*={0,2})$/;

/**
 * Reads a script's output. Only lines that start with the run's nonce count; everything else
 * (kubectl's warnings, anything that is not the script's) is ignored. A marked line that is
 * malformed, a section that appears twice or one after the closing line cannot come from the
 * script: it is an error, never a result.
 */
export function parseScriptOutput(stdout: string, nonce: string): ScriptOutput {
  const sections = new Map<string, Section>();
  let complete = false;
  const prefix = `${nonce} `;
  for (const line of stdout.split("\n")) {
    if (!line.startsWith(prefix)) {
      continue;
    }
    const rest = line.slice(prefix.length);
    if (complete) {
      throw new MalformedScriptOutputError(
        `a marked line after the script's end: "${rest.slice(0, 80)}"`,
      );
    }
    if (rest === "end") {
      complete = true;
      continue;
    }
    const match = SECTION_LINE.exec(rest);
    if (!match) {
      throw new MalformedScriptOutputError(
        `a marked line the script does not print: "${rest.slice(0, 80)}"`,
      );
    }
    const [, name, rc, ms, tries, encoded] = match;
    if (sections.has(name)) {
      throw new MalformedScriptOutputError(`section ${name} appears twice`);
    }
    sections.set(name, {
      rc: Number(rc),
      ms: Math.max(0, Number(ms)),
      tries: Number(tries),
      output: Buffer.from(encoded, "base64").toString("utf8").replace(/\n+$/, ""),
    });
  }
  return { sections, complete };
}
