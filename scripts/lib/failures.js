// Every failed test of the vitest JSON reports given, with the start of its failure: what a CI log
// that keeps only its last lines must still show.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const LINES_PER_FAILURE = 25;
for (const file of process.argv.slice(2)) {
  const report = JSON.parse(fs.readFileSync(file, "utf8"));
  for (const suite of report.testResults ?? []) {
    const failed = (suite.assertionResults ?? []).filter((test) => test.status === "failed");
    if (failed.length === 0 && suite.status !== "failed") continue;
    console.log(`FAILED in ${path.basename(file, ".json")}: ${path.relative(process.cwd(), suite.name)}`);
    if (failed.length === 0 && suite.message) {
      console.log(indent(suite.message));
    }
    for (const test of failed) {
      console.log(`  × ${test.fullName}`);
      console.log(indent((test.failureMessages ?? []).join("\n")));
    }
  }
}

function indent(text) {
  // eslint-disable-next-line no-control-regex -- the colours vitest writes into its messages
  const plain = text.replace(/\u001b\[[0-9;]*m/g, "");
  // The stack's frames inside node_modules say nothing of what failed.
  const lines = plain.split("\n").filter((line) => !/^\s+at .*node_modules|^\s+at new Promise/.test(line));
  return lines.slice(0, LINES_PER_FAILURE).map((line) => `      ${line}`).join("\n");
}
