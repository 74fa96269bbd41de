// Checks webhook payloads against what Slack and Microsoft publish, for the tests:
//   node check.mjs <directory>    reads every *.slack.json and *.teams.json in it
// Slack: each message must type-check as { text: string; blocks: KnownBlock[] } with Slack's own
// Block Kit types (@slack/types) under the TypeScript compiler, and keep Block Kit's documented
// limits (which types cannot say). Teams: the envelope of a message with an Adaptive Card, and the
// card as the Adaptive Cards SDK itself parses and validates it. Prints each problem; exits 1 if any.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import ts from 'typescript';

const require = createRequire(import.meta.url);
const here = path.dirname(new URL(import.meta.url).pathname);
const directory = process.argv[2];
const files = fs.readdirSync(directory).sort();
const problems = [];
const read = (file) => JSON.parse(fs.readFileSync(path.join(directory, file), 'utf8'));

// Half of a surrogate pair is not text: JSON can escape it, but a receiver may refuse or mangle it.
const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const strings = (value) => typeof value === 'string' ? [value]
  : Array.isArray(value) ? value.flatMap(strings)
  : value && typeof value === 'object' ? Object.values(value).flatMap(strings) : [];
for (const file of files.filter((file) => file.endsWith('.json'))) {
  if (strings(read(file)).some((text) => lone.test(text))) problems.push(`${file}: a string holds half of a surrogate pair`);
}

// --- Slack ---
const slackFiles = files.filter((file) => file.endsWith('.slack.json'));
const limits = (file, message) => {
  const say = (problem) => problems.push(`${file}: ${problem}`);
  if (message.text.length > 40000) say('text longer than 40000 characters');
  if (message.blocks.length > 50) say('more than 50 blocks');
  for (const block of message.blocks) {
    if (block.type === 'header' && block.text.text.length > 150) say('header text longer than 150 characters');
    if (block.type === 'section') {
      if (block.text && block.text.text.length > 3000) say('section text longer than 3000 characters');
      if (block.fields && block.fields.length > 10) say('more than 10 section fields');
      for (const field of block.fields ?? []) if (field.text.length > 2000) say('section field longer than 2000 characters');
    }
    if (block.type === 'context' && block.elements.length > 10) say('more than 10 context elements');
  }
};
if (slackFiles.length > 0) {
  const source = path.join(here, `.check-slack-${process.pid}.ts`);
  const messages = slackFiles.map((file) => `  // ${file}\n  ${JSON.stringify(read(file))},`).join('\n');
  fs.writeFileSync(source,
    `import type { KnownBlock } from '@slack/types';\n` +
    `export const messages: { text: string; blocks: KnownBlock[] }[] = [\n${messages}\n];\n`);
  const program = ts.createProgram([source], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, skipLibCheck: true });
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const where = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1 : 0;
    // Two header lines, then a comment line and a message line per file.
    const file = slackFiles[Math.floor((where - 3) / 2)] ?? 'slack';
    problems.push(`${file}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`);
  }
  fs.rmSync(source);
  for (const file of slackFiles) limits(file, read(file));
}

// --- Teams ---
const teamsFiles = files.filter((file) => file.endsWith('.teams.json'));
if (teamsFiles.length > 0) {
  // The package's ES modules lack file extensions Node needs; its UMD bundle is the same code.
  const AC = require('adaptivecards/dist/adaptivecards.js');
  for (const file of teamsFiles) {
    const say = (problem) => problems.push(`${file}: ${problem}`);
    const message = read(file);
    if (message.type !== 'message') say('type is not "message"');
    if (!Array.isArray(message.attachments) || message.attachments.length !== 1) { say('not exactly one attachment'); continue; }
    const attachment = message.attachments[0];
    if (attachment.contentType !== 'application/vnd.microsoft.card.adaptive') say(`contentType is ${attachment.contentType}`);
    const content = attachment.content;
    if (content?.type !== 'AdaptiveCard') { say('content is not an AdaptiveCard'); continue; }
    const card = new AC.AdaptiveCard();
    const context = new AC.SerializationContext();
    try {
      card.parse(content, context);
    } catch (error) {
      say(`parse: ${error.message}`);
      continue;
    }
    for (let i = 0; i < context.eventCount; i++) say(`parse: ${context.getEventAt(i).message}`);
    for (const event of card.validateProperties().validationEvents) say(`validate: ${event.message}`);
  }
}

for (const problem of problems) console.log(problem);
console.log(`checked ${slackFiles.length} Slack and ${teamsFiles.length} Teams payloads: ${problems.length} problems`);
process.exit(problems.length === 0 ? 0 : 1);
