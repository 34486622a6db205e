import { containersOf, leftToLiveObject, validatePods } from "./pods";
import { ResourceValidationPolicy } from "./types";

const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * What is wrong with an image reference, or undefined when it is pinned: a digest pins it, and so
 * does any tag but `latest`. No tag at all means `latest`.
 */
export function imageProblem(image: string | undefined): string | undefined {
  if (image === undefined || image === "") {
    return "has no image";
  }
  const at = image.indexOf("@");
  if (at >= 0) {
    const digest = image.slice(at + 1);
    return DIGEST.test(digest)
      ? undefined
      : `image "${image}" has a digest that is not sha256:<64 lowercase hex digits>`;
  }
  // A colon before the last slash belongs to a registry port (registry:5000/nginx), not a tag.
  const colon = image.indexOf(":", image.lastIndexOf("/") + 1);
  if (colon < 0) {
    return `image "${image}" has no tag, which means ${image}:latest`;
  }
  if (image.slice(colon + 1) === "latest") {
    return `image "${image}" uses the tag latest, which moves with every release`;
  }
  return undefined;
}

/** The repository part of an image reference: `nginx` of `nginx:latest`. */
function repositoryOf(image: string | undefined): string {
  if (!image) {
    return "nginx";
  }
  const withoutDigest = image.split("@")[0];
  const colon = withoutDigest.indexOf(":", withoutDigest.lastIndexOf("/") + 1);
  return colon < 0 ? withoutDigest : withoutDigest.slice(0, colon);
}

/**
 * Images are pinned: a tag other than `latest`, or a sha256 digest. A patch that sets no image
 * keeps the live container's.
 */
export const imagePinned: ResourceValidationPolicy = {
  name: "image-pinned",
  description: "Container images are pinned: a tag other than latest, or a sha256 digest.",
  enforcementLevel: "mandatory",
  validateResource: validatePods((pod, _args, report) => {
    for (const { container, subject } of containersOf(pod)) {
      if (leftToLiveObject(pod, container.image)) {
        continue;
      }
      const problem = imageProblem(container.image);
      if (problem !== undefined) {
        const repository = repositoryOf(container.image);
        report(
          `${subject}: ${problem}; accepted: a fixed tag (${repository}:<version>) or a digest (${repository}@sha256:<64 hex digits>).`,
        );
      }
    }
  }),
};
