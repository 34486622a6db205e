export * from "./labNamespace";
export * from "./nginxServer";
export * from "./busyboxClient";
export * from "./nginxService";
export * from "./connectivityCheck";
export * from "./placement";
export * from "./names";
