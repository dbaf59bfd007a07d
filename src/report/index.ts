// HTML reports: the program report for the Office of Microcredentials, and one issue run.
export { renderProgramReportHtml, programReportHtml } from './program-report.js';
export { programReportData, type ProgramReportData, type ProgramReportOptions } from './program-data.js';
export { renderRunReportHtml, type RunReportInput } from './run-report.js';
