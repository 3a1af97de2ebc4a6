/** The journal: run/ writes it, results/ folds it, both through this module only. */
export * from './types.js';
export { JournalWriter } from './writer.js';
export { type JournalRead, parseJournal } from './reader.js';
