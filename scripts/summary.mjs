// Prints the suite's closing line, `vitest: N passed, N failed, N skipped`, from the JSON report.
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const skipped = report.numPendingTests + (report.numTodoTests ?? 0);
process.stdout.write(`vitest: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped\n`);
