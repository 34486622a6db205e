/**
 * What the package's schema says beyond what the component provider writes from package.json (its
 * name, version and description): the repository, and the Go SDK's import path. Without them,
 * Pulumi's Go code generator names the SDK's module `example.com/pulumi-<name>/sdk/go`. Pure
 * logic: test/packageRelease.test.ts holds REPOSITORY to package.json's `repository`.
 */

/** The package's repository, as package.json's `repository` names it. */
export const REPOSITORY = "https://github.com/pod-to-pod/pod-to-pod";

/** The Go SDK's module path: the repository's `sdk/go`, as Pulumi's providers lay theirs out. */
export const GO_MODULE = "github.com/pod-to-pod/pod-to-pod/sdk/go";

/** A package schema, as far as this module changes it. */
interface Schema {
  readonly language?: Record<string, object>;
}

/** The schema the component provider wrote, with the repository and the Go import path in it. */
export function withRepository(schema: string): string {
  const parsed = JSON.parse(schema) as Schema;
  return JSON.stringify({
    ...parsed,
    repository: REPOSITORY,
    language: {
      ...parsed.language,
      go: { ...parsed.language?.go, importBasePath: `${GO_MODULE}/podtopod` },
    },
  });
}
