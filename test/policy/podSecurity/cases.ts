import { VERSIONS } from "../../../policy/policies";
import { BASELINE_CASES } from "./baselineCases";
import { Case } from "./caseKit";
import { RESTRICTED_CASES } from "./restrictedCases";

export * from "./caseKit";
export { VERSIONS };

/**
 * Every case, baseline's controls then restricted's, in the standard's order: the unit tests' table
 * (standards.test.ts) and the live reference's (test/real/podSecurityAdmission.test.ts).
 */
export const CASES: Case[] = [...BASELINE_CASES, ...RESTRICTED_CASES];
