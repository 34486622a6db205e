import { describe, expect, it } from "vitest";
import { requiredLabels } from "../../policy/policies";
import { check, goodPod, TYPES } from "./harness";

describe("required-labels", () => {
  it("accepts a Pod with app.kubernetes.io/name and app.kubernetes.io/part-of", async () => {
    expect(await check(requiredLabels, goodPod())).toEqual([]);
  });

  it("names the missing labels and the ones the Pod has", async () => {
    const pod = goodPod((p) => {
      p.metadata.labels = { app: "nginx", "app.kubernetes.io/name": "" };
    });
    expect(await check(requiredLabels, pod)).toEqual([
      {
        level: "mandatory",
        message:
          "Pod nginx-server lacks labels app.kubernetes.io/name, app.kubernetes.io/part-of (it has: app=nginx, app.kubernetes.io/name=); accepted: app.kubernetes.io/name, app.kubernetes.io/part-of, each with a non-empty value.",
      },
    ]);
  });

  it("checks a CronJob's pod template, not the CronJob's own labels", async () => {
    const pod = goodPod((p) => {
      delete p.metadata.labels;
    });
    const cronJob = {
      metadata: { name: "probe", labels: goodPod().metadata.labels },
      spec: { jobTemplate: { spec: { template: pod } } },
    };
    const [violation] = await check(requiredLabels, cronJob, { type: TYPES.cronJob });
    expect(violation.message).toMatch(
      /^CronJob probe \(pod template\) lacks labels .* \(it has: none\)/,
    );
  });

  it("takes the label list from policy config", async () => {
    const config = { labels: ["team"] };
    const [violation] = await check(requiredLabels, goodPod(), { config });
    expect(violation.message).toContain("lacks label team");
  });
});
