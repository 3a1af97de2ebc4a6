export { KtapParser } from './parser.js';
export {
  KTAP_STATUSES,
  emptyCounts,
  type KtapCounts,
  type KtapDirective,
  type KtapNode,
  type KtapParserOptions,
  type KtapStatus,
} from './types.js';
