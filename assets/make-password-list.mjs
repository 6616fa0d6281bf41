// Regenerates services/data/common_passwords.txt, the common-password blocklist.
//
// Source: the `passwords` frequency list shipped in the npm package zxcvbn 4.4.2
// (MIT licence; derived from public password leaks), most common first,
// followed by words specific to this service. zxcvbn is NOT an app dependency:
// install it in a throwaway directory and point this script at it:
//
//   mkdir -p /tmp/zxcvbn-list && cd /tmp/zxcvbn-list
//   npm init -y && npm install --no-audit --no-fund zxcvbn@4.4.2
//   node /path/to/repo/assets/make-password-list.mjs /tmp/zxcvbn-list
//
// Arguments: <dir containing node_modules/zxcvbn> [output file]
// The output defaults to ../services/data/common_passwords.txt (relative to
// this script). Output: one password per line, lower case, de-duplicated,
// in frequency order, no comments.
import { createRequire } from "node:module";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const EXPECTED_VERSION = "4.4.2";
const MIN_ENTRIES = 10000;

// Words tied to this service (council, SEND, place names) that users are
// likely to try; appended after the frequency list.
const SERVICE_WORDS = [
  "somerset", "somersetcouncil", "council", "send", "sendportal", "ehcp", "ehc",
  "ehcplan", "portal", "citizenportal", "citizen", "appendix", "appendixa",
  "assessment", "needs", "education", "health", "care", "school", "admissions",
  "onlineadmissions", "password", "passw0rd", "welcome", "letmein", "qwerty",
  "taunton", "yeovil", "bridgwater", "frome", "wells", "minehead",
];

const scriptDir = dirname(fileURLToPath(import.meta.url));
const [installDir, outArg] = process.argv.slice(2);
if (!installDir) {
  console.error("usage: node make-password-list.mjs <dir with node_modules/zxcvbn> [output file]");
  process.exit(2);
}
const outFile = resolve(outArg ?? join(scriptDir, "..", "services", "data", "common_passwords.txt"));

const require = createRequire(join(resolve(installDir), "package.json"));
const { version } = require("zxcvbn/package.json");
if (version !== EXPECTED_VERSION) {
  console.error(`expected zxcvbn ${EXPECTED_VERSION}, found ${version}`);
  process.exit(1);
}
const { passwords } = require("zxcvbn/lib/frequency_lists.js");
if (!Array.isArray(passwords) || passwords.length < MIN_ENTRIES) {
  console.error("zxcvbn's frequency_lists.passwords is missing or too short");
  process.exit(1);
}

const seen = new Set();
const lines = [];
for (const raw of [...passwords, ...SERVICE_WORDS]) {
  const word = String(raw).trim().toLowerCase();
  if (word && !seen.has(word)) {
    seen.add(word);
    lines.push(word);
  }
}

mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, lines.join("\n") + "\n", "utf8");
console.log(`wrote ${lines.length} passwords to ${outFile}`);
