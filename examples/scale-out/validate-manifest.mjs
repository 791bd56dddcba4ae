// Checks render-indexed-job.yaml against the Kubernetes API schema offline (types, required fields; unknown fields
// are not flagged by this schema), with a typo as a negative control:
//   npm install kubernetes-models@5.1.0 yaml@2.9.1 && node validate-manifest.mjs render-indexed-job.yaml
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { Job } from 'kubernetes-models/batch/v1';
let failed = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const obj = doc.toJS();
    try { new Job(obj).validate(); console.log(`ok ${file}: ${obj.kind} ${obj.metadata.name}`); }
    catch (e) { failed++; console.log(`INVALID ${file}: ${e.message}`); }
  }
}
// A negative control: a typo must be caught.
try { new Job({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'x' }, spec: { completions: 'eight', template: { spec: { containers: [] } } } }).validate(); console.log('control NOT caught'); failed++; }
catch (e) { console.log('control caught: ' + e.message.split('\n')[0]); }
process.exit(failed ? 1 : 0);
