'use strict';
// ruleport's KQL driver: checks each job's query with Microsoft's KQL parser and binder
// (kql-validate's validate.js) against the Sentinel table schemas. Nothing is executed:
// an answer is {"verdict": true} for a valid query, or the diagnostics as an error.
// RULEPORT_KQL_VALIDATOR is the validator's folder, RULEPORT_KQL_SCHEMAS the schemas'.

const fs = require('fs');
const path = require('path');

const validator = require(path.join(process.env.RULEPORT_KQL_VALIDATOR, 'validate.js'));
const jobs = JSON.parse(fs.readFileSync(0, 'utf8'));
const tables = validator.loadSchemas([process.env.RULEPORT_KQL_SCHEMAS]);

// Log types without a Sentinel table are read from custom tables with a dynamic RawEvent;
// a custom table with a schema file (OktaV2_CL, ...) keeps its own columns.
const declared = new Set(tables.map((table) => table.name));
const custom = new Set();
for (const job of jobs) {
  for (const m of job.query.matchAll(/\b([A-Za-z0-9_]+_CL)\b/g)) {
    if (!declared.has(m[1])) custom.add(m[1]);
  }
}
const rawColumns = [{ name: 'TimeGenerated', type: 'datetime' }, { name: 'RawEvent', type: 'dynamic' }];
for (const name of [...custom].sort()) tables.push({ name, columns: rawColumns });
const globals = validator.makeGlobals(tables);

const seen = new Map();
const answers = jobs.map((job) => {
  if (!seen.has(job.query)) {
    const result = validator.validateQuery(job.query, globals);
    const errors = result.diagnostics.filter((d) => d.severity === 'Error');
    const text = errors.map((d) => `${d.line}:${d.col}: ${d.message}`).join('; ');
    seen.set(job.query, result.ok ? { verdict: true } : { error: text || 'invalid query' });
  }
  return seen.get(job.query);
});
process.stdout.write(JSON.stringify(answers));
