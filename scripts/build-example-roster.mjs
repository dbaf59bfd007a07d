// Builds fixtures/examples/roster.csv: a few hundred invented learners of the two example
// microcredentials, with evidence, and a handful of bad rows the way real rosters have them.
//   node scripts/build-example-roster.mjs
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const first = ['Priya', 'Marcus', 'Jia', 'Rosa', 'Aisha', 'Daniel', 'Mei', 'Carlos', 'Fatima', 'Liam', 'Sofia', 'Kwame', 'Hannah', 'Diego', 'Yuki', 'Omar', 'Grace', 'Mateo', 'Leila', 'Ethan', 'Amara', 'Noah', 'Ingrid', 'Tariq', 'Chloe', 'Ravi', 'Nadia', 'Samuel', 'Elena', 'Kofi'];
const last = ['Raman', 'Thompson', 'Chen', 'Delgado', 'Okafor', 'Kowalski', 'Nguyen', 'Garcia', 'Haddad', "O'Brien", 'Rossi', 'Mensah', 'Schmidt', 'Hernandez', 'Tanaka', 'Farouk', 'Park', 'Lopez', 'Karimi', 'Walsh', 'Adeyemi', 'Cohen', 'Larsen', 'Aziz', 'Dubois', 'Patel', 'Novak', 'Osei', 'Popescu', 'Boateng'];

const header = [
  'Microcredential', 'Recipient Email', 'First Name', 'Last Name', 'Issuer Earner ID', 'Issued at',
  'Evidence Name', 'Evidence URL', 'Assessment Name', 'Assessment Score', 'Assessment Max Score', 'Locale',
];
const csvCell = (v) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const rows = [];
const person = (n) => {
  const f = first[n % first.length];
  const l = last[(n * 7) % last.length];
  return { f, l, email: `${f}.${l.replace(/'/g, '')}${n}@example.edu`.toLowerCase(), id: `B00${String(500000 + n)}` };
};

// 250 learners of Coding in SQL: the assessment is out of 20; 70 % (14) passes.
for (let n = 1; n <= 250; n += 1) {
  const p = person(n);
  rows.push(['coding-in-sql', p.email, p.f, p.l, p.id, '04/02/26', '', '', 'Proctored SQL assessment', String(14 + (n % 7)), '20', n % 9 === 0 ? 'es-US' : '']);
}
// 50 learners of Geospatial Data Analysis: a portfolio link and its rubric score.
for (let n = 251; n <= 300; n += 1) {
  const p = person(n);
  rows.push(['geospatial-data-analysis', p.email, p.f, p.l, p.id, '2026-05-20T17:00:00-04:00', 'Map portfolio', `https://portfolio.example.edu/${p.id.toLowerCase()}/gis`, 'Portfolio rubric', String(80 + (n % 20)), '100', '']);
}
// What real rosters also hold.
rows.push(['coding-in-sql', 'tomas.ruiz@example', 'Tomás', 'Ruiz', 'B00600001', '04/02/26', '', '', 'Proctored SQL assessment', '17', '20', '']); // bad email
rows.push(['coding-in-sql', 'li.wei@example.edu', 'Li', 'Wei', 'B00600002', '04/02/26', '', '', 'Proctored SQL assessment', '11', '20', '']); // below 70 %
rows.push(['coding-in-sql', 'no.name@example.edu', '', 'Nobody', 'B00600003', '04/02/26', '', '', 'Proctored SQL assessment', '18', '20', '']); // no first name
rows.push(['data-visualization', 'ada.jones@example.edu', 'Ada', 'Jones', 'B00600004', '04/02/26', '', '', 'Exam', '18', '20', '']); // unknown microcredential
rows.push(['coding-in-sql', person(7).email.toUpperCase(), person(7).f, person(7).l, person(7).id, '04/02/26', '', '', 'Proctored SQL assessment', '19', '20', '']); // the same learner twice
rows.push(['geospatial-data-analysis', 'sam.lee@example.edu', 'Sam', 'Lee', 'B00600005', '13/45/26', 'Map portfolio', 'https://portfolio.example.edu/slee/gis', 'Portfolio rubric', '90', '100', '']); // bad date
rows.push(['geospatial-data-analysis', 'kim.ito@example.edu', 'Kim', 'Ito', 'B00600006', '2026-05-20T17:00:00-04:00', '', '', 'Portfolio rubric', '88', '100', '']); // required URL evidence missing

const text = [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
writeFileSync(fileURLToPath(new URL('../fixtures/examples/roster.csv', import.meta.url)), text);
console.log(`wrote fixtures/examples/roster.csv (${rows.length} rows)`);
