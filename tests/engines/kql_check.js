#!/usr/bin/env node
'use strict';
// Runs ruleport's Sentinel output through Microsoft's KQL parser and binder (Kusto.Language,
// loaded by kql-validate's validate.js) with the table schemas:
//   - every BUILD/kql/*.kql query;
//   - every BUILD/sentinel/*.yaml analytics rule (fields, and that entity mappings and
//     custom details name columns of the query's output);
//   - every BUILD/sentinel-arm/*.json ARM template (JSON, resource shape, its query);
//   - the corpus the `sentinel` cargo test writes: conformance queries and rules, and
//     string literals whose value the parser must read back exactly.
// Custom tables (`*_CL`) without a schema file are declared with TimeGenerated and the dynamic
// column RawEvent (the fallback of a log type without a mapping).
// Exits 1 when anything fails, listing every failure.

const fs = require('fs');
const path = require('path');

function args() {
  const out = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const key of ['validator', 'schemas', 'build', 'corpus']) {
    if (!out[key]) throw new Error(`missing --${key}`);
  }
  return out;
}

const options = args();
const v = require(path.resolve(options.validator, 'validate.js'));
const yaml = require(path.resolve(options.validator, 'node_modules', 'yaml'));
const K = v.kusto();
const failures = [];
let checked = 0;

function readLines(file) {
  return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.trim()).map((line) => JSON.parse(line));
}

function filesIn(dir, ext) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith(ext)).sort().map((f) => path.join(dir, f));
}

// Every custom table a text mentions that no schema file declares, with the columns the
// fallback reads.
function customTables(texts, declared) {
  const names = new Set();
  for (const text of texts) {
    for (const m of text.matchAll(/\b([A-Za-z0-9_]+_CL)\b/g)) {
      if (!declared.has(m[1])) names.add(m[1]);
    }
  }
  return [...names].sort().map((name) => ({
    name,
    columns: [{ name: 'TimeGenerated', type: 'datetime' }, { name: 'RawEvent', type: 'dynamic' }],
  }));
}

const builtFiles = {
  kql: filesIn(path.join(options.build, 'kql'), '.kql'),
  sentinel: filesIn(path.join(options.build, 'sentinel'), '.yaml'),
  arm: filesIn(path.join(options.build, 'sentinel-arm'), '.json'),
};
const corpus = {
  queries: readLines(path.join(options.corpus, 'queries.jsonl')),
  rules: readLines(path.join(options.corpus, 'rules.jsonl')),
  literals: readLines(path.join(options.corpus, 'literals.jsonl')),
};
if (!builtFiles.kql.length || !builtFiles.sentinel.length || !builtFiles.arm.length) {
  throw new Error(`no kql, sentinel or sentinel-arm output under ${options.build}`);
}

const allTexts = [
  ...Object.values(builtFiles).flat().map((f) => fs.readFileSync(f, 'utf8')),
  ...corpus.queries.map((q) => q.query),
];
const schemaTables = v.loadSchemas([options.schemas]);
const declared = new Set(schemaTables.map((table) => table.name));
const globals = v.makeGlobals([...schemaTables, ...customTables(allTexts, declared)]);

function checkQuery(where, text) {
  checked += 1;
  const result = v.validateQuery(text, globals);
  if (!result.ok || result.diagnostics.length) {
    const found = result.diagnostics.map((d) => `${d.severity} ${d.code} ${d.line}:${d.col} ${d.message}`);
    failures.push(`${where}:\n  ${found.join('\n  ')}`);
  }
}

function checkRule(where, rule) {
  checked += 1;
  const result = v.validateRule(rule, globals);
  const problems = result.problems.map((p) => `${p.field}: ${p.message}`);
  if (result.query) problems.push(...result.query.diagnostics.map((d) => `${d.severity} ${d.code} ${d.message}`));
  if (problems.length) failures.push(`${where}:\n  ${problems.join('\n  ')}`);
}

function checkArm(where, text) {
  checked += 1;
  let template;
  try {
    template = JSON.parse(text);
  } catch (error) {
    failures.push(`${where}: not JSON: ${error.message}`);
    return;
  }
  const resource = (template.resources || [])[0] || {};
  const p = resource.properties || {};
  const problems = [];
  if (resource.type !== 'Microsoft.SecurityInsights/alertRules') problems.push(`type ${resource.type}`);
  if (resource.kind !== 'Scheduled') problems.push(`kind ${resource.kind}`);
  if (p.triggerOperator !== 'GreaterThan') problems.push(`triggerOperator ${p.triggerOperator}`);
  for (const key of ['queryFrequency', 'queryPeriod', 'suppressionDuration']) {
    if (!(v.durationMinutes(p[key]) >= 5)) problems.push(`${key} ${p[key]}`);
  }
  for (const t of p.techniques || []) if (!/^T\d{4}$/.test(t)) problems.push(`technique ${t}`);
  for (const t of p.subTechniques || []) if (!/^T\d{4}\.\d{3}$/.test(t)) problems.push(`sub-technique ${t}`);
  if (problems.length) failures.push(`${where}: ${problems.join(', ')}`);
  checkQuery(`${where} (query)`, p.query || '');
}

function checkLiteral(item) {
  checked += 1;
  const code = K.KustoCode.ParseAndAnalyze(`print x = ${item.literal}`, globals);
  let value;
  code.Syntax.WalkElements((e) => {
    if (typeof e.LiteralValue === 'string') value = e.LiteralValue;
  });
  if (code.GetDiagnostics().Count || value !== item.value) {
    failures.push(`literal ${item.literal}: read back as ${JSON.stringify(value)}, not ${JSON.stringify(item.value)}`);
  }
}

for (const file of builtFiles.kql) checkQuery(file, fs.readFileSync(file, 'utf8'));
for (const file of builtFiles.sentinel) checkRule(file, yaml.parse(fs.readFileSync(file, 'utf8')));
for (const file of builtFiles.arm) checkArm(file, fs.readFileSync(file, 'utf8'));
for (const item of corpus.queries) checkQuery(`conformance query ${item.id}`, item.query);
for (const item of corpus.rules) checkRule(`conformance rule ${item.id}`, item.rule);
for (const item of corpus.literals) checkLiteral(item);

if (failures.length) {
  console.error(failures.join('\n'));
  console.error(`check_kql: ${failures.length} of ${checked} checks failed`);
  process.exit(1);
}
console.log(`check_kql: ${checked} checks passed (${builtFiles.kql.length} queries, ${builtFiles.sentinel.length} rules, `
  + `${builtFiles.arm.length} ARM templates, ${corpus.queries.length} corpus queries, ${corpus.literals.length} literals)`);
